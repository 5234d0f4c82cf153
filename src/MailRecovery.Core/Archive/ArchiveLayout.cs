using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Where things are in an archive directory. The root is a plain Maildir (cur/, new/, tmp/) that Dovecot or
/// mutt can open; MailRecovery's own files live in <c>mailrecovery/</c>, a name without a leading dot so that
/// Maildir++ readers do not take it for a folder.
/// </summary>
public sealed class ArchiveLayout
{
    public ArchiveLayout(string root)
    {
        Root = Path.GetFullPath(root);
        Cur = Path.Combine(Root, "cur");
        New = Path.Combine(Root, "new");
        Tmp = Path.Combine(Root, "tmp");
        DataDir = Path.Combine(Root, "mailrecovery");
        IndexPath = Path.Combine(DataDir, "index.sqlite");
        LockPath = Path.Combine(DataDir, "lock");
    }

    public string Root { get; }

    public string Cur { get; }

    public string New { get; }

    public string Tmp { get; }

    public string DataDir { get; }

    public string IndexPath { get; }

    public string LockPath { get; }

    /// <summary>Where damaged message files are moved (<c>mailrecovery/quarantine/</c>), never deleted.</summary>
    public string QuarantineDir => Path.Combine(DataDir, "quarantine");

    /// <summary>The replay journal (<c>mailrecovery/replay-journal.sqlite</c>).</summary>
    public string JournalPath => Path.Combine(DataDir, "replay-journal.sqlite");

    /// <summary>
    /// The path of an archived message by the unique part of its name. Readers may have moved it to new/ or
    /// renamed its flags (":2,S"), so the exact name is only the first guess. Only a regular file counts: a
    /// symbolic link with the name is not the message (and is never read through).
    /// </summary>
    public string? Resolve(string baseName)
    {
        string guess = Path.Combine(Cur, baseName + MaildirFileName.InfoSuffix);
        if (RegularFile.Exists(guess))
            return guess;
        foreach (string dir in new[] { Cur, New })
        {
            if (!Directory.Exists(dir))
                continue;
            foreach (string path in Directory.EnumerateFiles(dir, baseName + "*"))
            {
                if (MaildirFileName.BaseOf(Path.GetFileName(path)) == baseName && RegularFile.Exists(path))
                    return path;
            }
        }

        return null;
    }
}
