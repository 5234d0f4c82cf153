using System.Security.Cryptography;

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
        DateTimeOffset mtime = new(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
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

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 128 * 1024, useAsync: false);
        byte[] hash = await SHA256.HashDataAsync(file, cancellationToken);
        long size = file.Length;
        file.Position = 0;
        string fingerprint = await MessageFingerprint.ComputeAsync(file, cancellationToken);
        file.Position = 0;
        MessageMetadata metadata = await MessageMetadataReader.ReadAsync(file, fallback, fallbackSource, cancellationToken);
        return new ArchivedMessage(baseName, Convert.ToHexStringLower(hash), size, archivedAt, metadata) { Fingerprint = fingerprint };
    }

    /// <summary>The message files of the Maildir (cur/ and new/), by unique base name.</summary>
    public static Dictionary<string, string> ListFiles(ArchiveLayout layout)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string dir in new[] { layout.Cur, layout.New })
        {
            if (!Directory.Exists(dir))
                continue;
            foreach (string path in Directory.EnumerateFiles(dir))
            {
                string name = Path.GetFileName(path);
                if (!name.StartsWith('.'))
                    files.TryAdd(MaildirFileName.BaseOf(name), path);
            }
        }

        return files;
    }
}
