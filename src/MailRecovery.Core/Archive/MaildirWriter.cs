using System.Buffers;
using System.Security.Cryptography;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Writes messages into the archive's Maildir the way Dovecot does: bytes to a unique name in tmp/, mtime set
/// to the receipt time, fsync, then rename into cur/ and fsync cur/. Order is important: a file appears in
/// cur/ only complete and on disk, and a crash before the rename leaves only a tmp/ file that the next open
/// removes. Files are 0600.
/// </summary>
public sealed class MaildirWriter
{
    private const int BufferSize = 128 * 1024;
    private readonly ArchiveLayout layout;
    private readonly TimeProvider clock;
    private readonly int pid = Environment.ProcessId;
    private readonly string host = Environment.MachineName;
    private long sequence;

    public MaildirWriter(ArchiveLayout layout, TimeProvider clock)
    {
        this.layout = layout;
        this.clock = clock;
    }

    /// <summary>
    /// Copies <paramref name="content"/> to a new file in tmp/, byte for byte, hashing on the way; reads its
    /// metadata; sets its mtime to the receipt time; fsyncs it.
    /// </summary>
    /// <param name="internalDate">The server's receipt time when the protocol has one (IMAP INTERNALDATE).</param>
    public async Task<StagedMessage> StageAsync(Stream content, DateTimeOffset? internalDate, CancellationToken cancellationToken)
    {
        DateTimeOffset archivedAt = clock.GetUtcNow();
        long seq = Interlocked.Increment(ref sequence);
        string tmpPath = Path.Combine(layout.Tmp, $"{archivedAt.ToUnixTimeSeconds()}.P{pid}Q{seq}.{host}");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };

        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var file = new FileStream(tmpPath, options);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            int n;
            while ((n = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                size += n;
            }

            file.Position = 0;
            MessageMetadata metadata = await MessageMetadataReader.ReadAsync(
                new ReadOnlyWindowStream(file, size), internalDate ?? archivedAt,
                internalDate is null ? ReceivedTimeSource.FetchTime : ReceivedTimeSource.InternalDate, cancellationToken);

            // The mtime carries the receipt time (Dovecot's convention); set before the fsync so that one
            // fsync makes both the bytes and the time durable.
            File.SetLastWriteTimeUtc(file.SafeFileHandle, metadata.ReceivedAt.UtcDateTime);
            file.Flush(flushToDisk: true);

            string name = MaildirFileName.Create(archivedAt, pid, seq, host, size, metadata.ReceivedSource);
            return new StagedMessage(tmpPath, name, Convert.ToHexStringLower(hash.GetHashAndReset()), size, archivedAt, metadata);
        }
        catch
        {
            TryDelete(tmpPath);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Moves staged files into cur/ and makes the renames durable with one fsync of cur/.</summary>
    public void Publish(IReadOnlyCollection<StagedMessage> staged)
    {
        if (staged.Count == 0)
            return;
        foreach (StagedMessage s in staged)
            File.Move(s.TmpPath, Path.Combine(layout.Cur, s.File + MaildirFileName.InfoSuffix), overwrite: false);
        DirectorySync.Sync(layout.Cur);
    }

    /// <summary>Drops a staged file that turned out to be a duplicate.</summary>
    public static void Discard(StagedMessage staged) => TryDelete(staged.TmpPath);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the next open, which empties tmp/.
        }
    }
}
