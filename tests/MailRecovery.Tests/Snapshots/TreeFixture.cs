using System.Globalization;
using System.Security.Cryptography;
using MailRecovery.Core.Snapshots;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Snapshots;

/// <summary>
/// A helpdesk data tree as the vendor's application leaves it, made by root for the test: files and directories
/// owned by other users (numeric 1234:2345 without an account, and nobody:daemon by name) with mixed modes
/// (0640, 0600, set-group-ID 02750, sticky 01777, 0444), a symbolic link, an empty directory and old mtimes.
/// </summary>
internal static class TreeFixture
{
    public const uint Uid = 1234;
    public const uint Gid = 2345;

    public static void Build(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "db", "tickets"));
        Directory.CreateDirectory(Path.Combine(root, "spool"));
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        File.WriteAllText(Path.Combine(root, "db", "main.dat"), "the helpdesk's database: unique-content-0001\n" + new string('x', 100_000));
        File.WriteAllText(Path.Combine(root, "db", "tickets", "1.eml"), "Subject: one\r\n\r\nbody\r\n");
        File.WriteAllText(Path.Combine(root, "db", "tickets", "2.eml"), "Subject: two\r\n\r\nbody\r\n");
        File.WriteAllText(Path.Combine(root, "spool", "queue"), "queued\n");
        File.WriteAllText(Path.Combine(root, "settings.conf"), "key=value\n");
        File.CreateSymbolicLink(Path.Combine(root, "current"), "db/main.dat");
        foreach (string p in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root))
            UnixFiles.Lchown(p, Uid, Gid);
        UnixFiles.Lchown(Path.Combine(root, "spool", "queue"), 65534, 1); // nobody:daemon
        Mode(root, "db/main.dat", "640");
        Mode(root, "db/tickets/1.eml", "600");
        Mode(root, "db/tickets/2.eml", "444");
        Mode(root, "db/tickets", "2750");
        Mode(root, "spool", "1777");
        Mode(root, "settings.conf", "660");
        Mode(root, "empty", "700");
        Mode(root, string.Empty, "750");
        var old = new DateTime(2026, 11, 20, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567);
        foreach (string f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => UnixFiles.Lstat(f)!.Type == EntryType.File))
            File.SetLastWriteTimeUtc(f, old);
        foreach (string d in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(root))
            Directory.SetLastWriteTimeUtc(d, old.AddMinutes(1));
    }

    /// <summary>Every entry under <paramref name="root"/>: type, owner, group, mode, mtime (not of links), size, content hash, link target.</summary>
    public static SortedDictionary<string, string> Facts(string root)
    {
        var facts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (TreeWalker.Item i in TreeWalker.Walk(root))
        {
            FileFacts f = i.Facts;
            string content = f.Type switch
            {
                EntryType.File => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(i.FullPath))),
                EntryType.Symlink => "-> " + new FileInfo(i.FullPath).LinkTarget,
                _ => string.Empty,
            };
            string mtime = f.Type == EntryType.Symlink ? string.Empty : f.Modified.ToString("O", CultureInfo.InvariantCulture);
            facts[i.RelativePath] = $"{f.Type} {f.Uid}:{f.Gid} {Convert.ToString(f.Mode, 8)} {mtime} {f.Size} {content}";
        }

        return facts;
    }

    /// <summary>What a copy from removable media does: everything root:root, directories 0777, files 0666.</summary>
    public static void SpoilLikeACopyFromRemovableMedia(string root)
    {
        foreach (TreeWalker.Item i in TreeWalker.Walk(root).ToList())
        {
            UnixFiles.Lchown(i.FullPath, 0, 0);
            if (i.Facts.Type == EntryType.Directory)
                File.SetUnixFileMode(i.FullPath, (UnixFileMode)Convert.ToInt32("777", 8));
            else if (i.Facts.Type == EntryType.File)
                File.SetUnixFileMode(i.FullPath, (UnixFileMode)Convert.ToInt32("666", 8));
        }
    }

    public static async Task<CliRunner.Result> RunAsync(params string[] args) => await CliRunner.RunAsync(args);

    private static void Mode(string root, string relative, string octal) =>
        File.SetUnixFileMode(relative.Length == 0 ? root : Path.Combine(root, relative), (UnixFileMode)Convert.ToInt32(octal, 8));
}
