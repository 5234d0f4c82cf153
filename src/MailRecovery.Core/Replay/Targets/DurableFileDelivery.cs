using System.Security.Cryptography;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// Puts one archived message into a directory as a file, durably, the way the file targets need it: copy to a
/// new temporary file with an unpredictable name, set the mtime to the receipt time, fsync, rename to the final name, fsync the directory.
/// Order is important: the final name appears only for complete bytes on disk. Failures become
/// <see cref="DeliveryException"/>s: before the rename nothing was delivered (try later, or failed when access
/// is denied); a failed directory fsync after it leaves the outcome uncertain. A full disk stops the whole
/// replay (<see cref="TargetDiskFull"/>).
/// </summary>
/// <remarks>
/// Replay often runs as root in directories others can write to. The temporary file is created with
/// O_CREAT|O_EXCL (<see cref="FileMode.CreateNew"/>), which never follows a symbolic link, under a name with 64
/// random bits that no one can plant a link at beforehand; and the final name is refused when it is a link or
/// anything but a regular file, so the rename never replaces one.
/// </remarks>
internal static class DurableFileDelivery
{
    private const int BufferSize = 128 * 1024;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <param name="tmpPrefix">
    /// The start of the temporary name, in the same file system as <paramref name="finalPath"/>; a dot and 16
    /// random hex digits are added.
    /// </param>
    /// <param name="description">The target, for messages.</param>
    public static async Task WriteAsync(ReplayItem item, string tmpPrefix, string finalPath, string description, CancellationToken cancellationToken)
    {
        string name = Path.GetFileName(finalPath);
        string tmpPath = $"{tmpPrefix}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        try
        {
            RegularFile.RefuseLink(finalPath);

            // CreateNew: a leftover of an interrupted delivery has another random name and is never written through.
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
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
            // replaced file held the same bytes. Checked again: a link planted during the copy is not replaced.
            RegularFile.RefuseLink(finalPath);
            File.Move(tmpPath, finalPath, overwrite: true);
            RemoveLeftovers(tmpPrefix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            TryDelete(tmpPath);
            if (e is OperationCanceledException)
                throw;
            if (TargetDiskFull.Is(e))
                throw TargetDiskFull.Error(description, e);
            throw new DeliveryException(e is UnauthorizedAccessException or NotRegularFileException ? DeliveryOutcome.Failed : DeliveryOutcome.TryLater,
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

    /// <summary>
    /// Removes what interrupted deliveries of this same message left under <paramref name="tmpPrefix"/> (random
    /// names, so nothing else replaces them). unlink(2) removes a link itself, never what it points to.
    /// </summary>
    private static void RemoveLeftovers(string tmpPrefix)
    {
        string dir = Path.GetDirectoryName(tmpPrefix)!;
        string prefix = Path.GetFileName(tmpPrefix);
        try
        {
            TryDelete(tmpPrefix);
            foreach (string leftover in Directory.EnumerateFiles(dir, prefix + ".*"))
                TryDelete(leftover);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the message is delivered; a leftover is only clutter readers ignore.
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
            // A leftover under a temporary name readers ignore (Dovecot removes tmp/ files after 36 hours).
        }
    }
}
