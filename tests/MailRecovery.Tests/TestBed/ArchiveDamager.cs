using MailRecovery.Core.Archive;

namespace MailRecovery.Tests.TestBed;

/// <summary>Damages an archive the way a disk or a person does: a file deleted, a byte flipped.</summary>
public static class ArchiveDamager
{
    /// <summary>The index row and the path of the archived message with this subject.</summary>
    public static (ArchivedMessage Row, string Path) Find(string root, string subject)
    {
        var layout = new ArchiveLayout(root);
        using ArchiveIndex index = ArchiveIndex.Open(layout.IndexPath, readOnly: true);
        ArchivedMessage row = index.AllMessages().Single(m => m.Metadata.Subject == subject);
        return (row, layout.Resolve(row.File) ?? Path.Combine(layout.Cur, row.File + MaildirFileName.InfoSuffix));
    }

    public static ArchivedMessage Delete(string root, string subject)
    {
        var (row, path) = Find(root, subject);
        File.Delete(path);
        return row;
    }

    /// <summary>Flips one byte in the body, in place: same size, new mtime (any write moves it).</summary>
    public static ArchivedMessage FlipByte(string root, string subject)
    {
        var (row, path) = Find(root, subject);
        using (var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = f.Length - 3;
            int b = f.ReadByte();
            f.Position = f.Length - 3;
            f.WriteByte((byte)(b ^ 0x20));
        }

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        return row;
    }
}
