using System.Security.Cryptography;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Reads one Maildir file into a catalogue row, from the file alone: what <see cref="ArchiveReindexer"/>
/// and the start-up reconciliation use, and why the index is only a cache.
/// </summary>
public static class ArchiveCataloguer
{
    public static async Task<ArchivedMessage> CatalogueAsync(string path, CancellationToken cancellationToken)
    {
        string baseName = MaildirFileName.BaseOf(Path.GetFileName(path));

        // Opened first, without following links; the mtime is the opened file's.
        await using FileStream file = RegularFile.OpenRead(path, 128 * 1024);
        DateTimeOffset mtime = new(File.GetLastWriteTimeUtc(file.SafeFileHandle), TimeSpan.Zero);
        bool ours = MaildirFileName.TryParse(baseName, out DateTimeOffset archivedAt, out ReceivedTimeSource recorded);
        if (!ours)
        {
            // A file put here by hand or by another tool: its mtime is the best receipt time there is.
            archivedAt = mtime;
            recorded = ReceivedTimeSource.FetchTime;
        }

        // Name says where the receipt time came from: INTERNALDATE lives in the mtime, fetch time in the name.
        DateTimeOffset fallback = recorded == ReceivedTimeSource.InternalDate || !ours ? mtime : archivedAt;
        ReceivedTimeSource fallbackSource = recorded == ReceivedTimeSource.ReceivedHeader ? ReceivedTimeSource.FetchTime : recorded;

        byte[] hash = await SHA256.HashDataAsync(file, cancellationToken);
        long size = file.Length;
        file.Position = 0;
        string fingerprint = await MessageFingerprint.ComputeAsync(file, cancellationToken);
        file.Position = 0;
        MessageMetadata metadata = await MessageMetadataReader.ReadAsync(file, fallback, fallbackSource, cancellationToken);
        return new ArchivedMessage(baseName, Convert.ToHexStringLower(hash), size, archivedAt, metadata) { Fingerprint = fingerprint };
    }

    /// <summary>
    /// The message files of the Maildir (cur/ and new/), by unique base name: regular files only. A symbolic
    /// link is never a message, whatever it points to (a link to /etc/shadow must not be indexed or replayed);
    /// <see cref="ListIrregular"/> names what was skipped.
    /// </summary>
    public static Dictionary<string, string> ListFiles(ArchiveLayout layout)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, kind) in Entries(layout))
        {
            if (kind == FileKind.Regular)
                files.TryAdd(MaildirFileName.BaseOf(Path.GetFileName(path)), path);
        }

        return files;
    }

    /// <summary>Entries of cur/ and new/ that are not regular files (links, directories, FIFOs, devices), with what they are.</summary>
    public static List<(string Path, FileKind Kind)> ListIrregular(ArchiveLayout layout) =>
        Entries(layout).Where(e => e.Kind != FileKind.Regular).ToList();

    private static IEnumerable<(string Path, FileKind Kind)> Entries(ArchiveLayout layout)
    {
        foreach (string dir in new[] { layout.Cur, layout.New })
        {
            if (!Directory.Exists(dir))
                continue;
            foreach (string path in Directory.EnumerateFileSystemEntries(dir))
            {
                if (!Path.GetFileName(path).StartsWith('.'))
                    yield return (path, RegularFile.KindOf(path));
            }
        }
    }
}
