using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// Reads one message file's header block into an <see cref="AuditMessage"/>. The body is never read, so a
/// 50 MB attachment costs one small buffer.
/// </summary>
internal static class HeaderFileReader
{
    /// <summary>Enough for a typical header block in one read; the reader asks for more when it needs it.</summary>
    private const int BufferSize = 8 * 1024;

    /// <summary>
    /// The receipt time is the newest Received: header, else the file's mtime: Dovecot and most Maildir
    /// writers set it to the delivery time, and an export usually keeps it.
    /// </summary>
    /// <returns>The message, or null when the file vanished meanwhile (a live Maildir renames files).</returns>
    public static async Task<AuditMessage?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BufferSize, useAsync: false);
            DateTimeOffset mtime = new(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
            MessageMetadata metadata = await MessageMetadataReader.ReadAsync(file, mtime, ReceivedTimeSource.InternalDate, cancellationToken);
            return AuditMessage.Of(metadata) with { Locator = path };
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The fingerprints of the files of <paramref name="messages"/> (by locator = path); a file that vanished is left out.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> FingerprintAsync(IReadOnlyList<AuditMessage> messages, CancellationToken cancellationToken)
    {
        var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in messages.Select(m => m.Locator).OfType<string>())
        {
            try
            {
                fingerprints[path] = await MessageFingerprint.ComputeAsync(path, cancellationToken);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // Renamed or removed by a client meanwhile: matched by Message-ID only.
            }
        }

        return fingerprints;
    }
}
