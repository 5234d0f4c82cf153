using MailRecovery.Core.IO;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// Puts one archived message into a directory as a file, durably, the way the file targets need it: copy to a
/// temporary name, set the mtime to the receipt time, fsync, rename to the final name, fsync the directory.
/// Order is important: the final name appears only for complete bytes on disk. Failures become
/// <see cref="DeliveryException"/>s: before the rename nothing was delivered (try later, or failed when access
/// is denied); a failed directory fsync after it leaves the outcome uncertain.
/// </summary>
internal static class DurableFileDelivery
{
    private const int BufferSize = 128 * 1024;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <param name="tmpPath">The temporary name, in the same file system as <paramref name="finalPath"/>.</param>
    /// <param name="description">The target, for messages.</param>
    public static async Task WriteAsync(ReplayItem item, string tmpPath, string finalPath, string description, CancellationToken cancellationToken)
    {
        string name = Path.GetFileName(finalPath);
        try
        {
            // FileMode.Create: a leftover of an earlier, interrupted delivery of this same message is replaced.
            var options = new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                UnixCreateMode = PrivateFile,
            };
            await using (Stream source = item.OpenRead())
            await using (var file = new FileStream(tmpPath, options))
            {
                await source.CopyToAsync(file, BufferSize, cancellationToken);

                // The mtime carries the receipt time (Dovecot's convention, and what importers sort by); set
                // before the fsync so that one fsync makes the bytes and the time durable together.
                File.SetLastWriteTimeUtc(file.SafeFileHandle, item.Message.Metadata.ReceivedAt.UtcDateTime);
                file.Flush(flushToDisk: true);
            }

            // rename(2) replaces a same-named file atomically; the targets derive names from the content, so a
            // replaced file held the same bytes.
            File.Move(tmpPath, finalPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            TryDelete(tmpPath);
            if (e is OperationCanceledException)
                throw;
            throw new DeliveryException(e is UnauthorizedAccessException ? DeliveryOutcome.Failed : DeliveryOutcome.TryLater,
                $"{description}: cannot write {name} ({e.Message}).", e);
        }

        try
        {
            DirectorySync.Sync(Path.GetDirectoryName(finalPath)!);
        }
        catch (IOException e)
        {
            // The file is visible but perhaps not durable: the target's check finds it if it survived.
            throw new DeliveryException(DeliveryOutcome.Uncertain, $"{description}: cannot sync the directory after writing {name} ({e.Message}).", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover under a temporary name readers ignore; the next delivery of the message replaces it.
        }
    }
}
