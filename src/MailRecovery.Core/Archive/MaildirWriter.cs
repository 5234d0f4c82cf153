using System.Buffers;
using System.Security.Cryptography;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Writes messages into the archive's Maildir the way Dovecot does: bytes to a unique name in tmp/, mtime set
/// to the receipt time, made durable a batch at a time (in <see cref="Publish"/>: one syncfs, or an fsync per file),
/// then rename into cur/ and fsync cur/. Order is important: a file appears in cur/ only complete and on disk, and a
/// crash before the rename leaves only a tmp/ file that the next open removes. Files are 0600.
/// </summary>
public sealed class MaildirWriter
{
    private const int BufferSize = 128 * 1024;

    /// <summary>How much of the start of each message is kept in memory for reading its headers.</summary>
    private const int HeadSize = 64 * 1024;
    private readonly ArchiveLayout layout;
    private readonly TimeProvider clock;
    private readonly int pid = Environment.ProcessId;
    private readonly string host = Environment.MachineName;
    private long sequence;
    private IBatchFlush? flush;

    public MaildirWriter(ArchiveLayout layout, TimeProvider clock)
    {
        this.layout = layout;
        this.clock = clock;
    }

    /// <summary>
    /// How <see cref="Publish"/> makes a batch durable: chosen for the archive's file system at the first publish
    /// (<see cref="BatchFlush.For"/>); tests put a counting one in.
    /// </summary>
    internal IBatchFlush Flush
    {
        get => flush ??= BatchFlush.For(layout.Tmp);
        set => flush = value;
    }

    /// <summary>
    /// Copies <paramref name="content"/> to a new file in tmp/, byte for byte, hashing on the way; reads its
    /// metadata; sets its mtime to the receipt time. The file stays open: <see cref="Publish"/> fsyncs it.
    /// </summary>
    /// <param name="internalDate">The server's receipt time when the protocol has one (IMAP INTERNALDATE).</param>
    public async Task<StagedMessage> StageAsync(Stream content, DateTimeOffset? internalDate, CancellationToken cancellationToken)
    {
        DateTimeOffset archivedAt = clock.GetUtcNow();
        long seq = Interlocked.Increment(ref sequence);

        // Dovecot's unique name plus 64 random bits, created exclusively (O_EXCL never follows a link): nobody
        // can have planted anything at it, and a leftover is never written through.
        string tmpPath = Path.Combine(layout.Tmp, $"{archivedAt.ToUnixTimeSeconds()}.P{pid}Q{seq}R{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.{host}");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };

        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        byte[] head = ArrayPool<byte>.Shared.Rent(HeadSize);
        FileStream? file = null;
        try
        {
            // Local file I/O is done synchronously: an async FileStream without FileOptions.Asynchronous only
            // moves each write to the thread pool, which costs more than the write.
            file = new FileStream(tmpPath, options);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var fingerprint = new MessageFingerprint();
            long size = 0;
            int headLength = 0;
            int n;
            while ((n = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                fingerprint.Append(buffer.AsSpan(0, n));
                file.Write(buffer, 0, n);
                int keep = Math.Min(n, HeadSize - headLength);
                Buffer.BlockCopy(buffer, 0, head, headLength, keep);
                headLength += keep;
                size += n;
            }

            // The header block is almost always within the first bytes kept in memory; only a message whose
            // headers are longer than that is read back from the file.
            Stream headers = headLength == size || HeaderEnd(head.AsSpan(0, headLength))
                ? new MemoryStream(head, 0, headLength, writable: false)
                : new ReadOnlyWindowStream(file, size) { Position = 0 };
            MessageMetadata metadata = MessageMetadataReader.Read(headers, internalDate ?? archivedAt,
                internalDate is null ? ReceivedTimeSource.FetchTime : ReceivedTimeSource.InternalDate);

            // The mtime carries the receipt time (Dovecot's convention); set before the fsync so that one
            // fsync makes both the bytes and the time durable.
            File.SetLastWriteTimeUtc(file.SafeFileHandle, metadata.ReceivedAt.UtcDateTime);

            string name = MaildirFileName.Create(archivedAt, pid, seq, host, size, metadata.ReceivedSource);
            return new StagedMessage(tmpPath, name, Convert.ToHexStringLower(hash.GetHashAndReset()), size, archivedAt, metadata)
            {
                Unsynced = file,
                Fingerprint = fingerprint.Finish(),
            };
        }
        catch
        {
            file?.Dispose();
            TryDelete(tmpPath);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    /// <summary>True when the bytes contain the empty line that ends a header block (RFC 5322 §2.1).</summary>
    private static bool HeaderEnd(ReadOnlySpan<byte> bytes) =>
        bytes.IndexOf("\r\n\r\n"u8) >= 0 || bytes.IndexOf("\n\n"u8) >= 0;

    /// <summary>
    /// Makes the staged files durable (<see cref="Flush"/>: one syncfs for the batch, or an fsync per file), then
    /// moves them into cur/ and makes the renames durable with one fsync of cur/.
    /// </summary>
    /// <exception cref="IOException">A file could not be made durable (nothing is renamed) or a rename failed.</exception>
    public void Publish(IReadOnlyCollection<StagedMessage> staged)
    {
        if (staged.Count == 0)
            return;

        // Order is important: every file of the batch is on disk before the first rename makes any of them
        // visible; a flush that fails leaves them all in tmp/, which the next open empties.
        MakeDurable(staged);

        // One renameat2 per file instead of File.Move's three lstat calls and a rename (issue 15's profile).
        foreach (StagedMessage s in staged)
            NoReplaceRename.Move(s.TmpPath, Path.Combine(layout.Cur, s.File + MaildirFileName.InfoSuffix));
        DirectorySync.Sync(layout.Cur);
    }

    /// <summary>
    /// The first half of <see cref="Publish"/>: makes the staged files that are not yet durable so (<see cref="Flush"/>)
    /// and closes them; renames nothing, so it may run without the archive gate (the group committer does, issue 15).
    /// A file already made durable is skipped, so Publish after this flushes nothing again.
    /// </summary>
    /// <exception cref="IOException">A file could not be made durable; all stay open in tmp/ (the batch is abandoned).</exception>
    public void MakeDurable(IReadOnlyCollection<StagedMessage> staged)
    {
        ArgumentNullException.ThrowIfNull(staged);
        var open = new List<FileStream>(staged.Count);
        foreach (StagedMessage s in staged)
        {
            if (s.Unsynced is FileStream file)
                open.Add(file);
        }

        if (open.Count == 0)
            return;
        Flush.Flush(open);
        foreach (StagedMessage s in staged)
        {
            s.Unsynced?.Dispose();
            s.Unsynced = null;
        }
    }

    /// <summary>
    /// Puts an archived file back from a new download whose SHA-256 the caller checked against the recorded one: the
    /// same name in cur/, the mtime the receipt time, made durable like any file (fsync, rename, fsync of cur/). A
    /// damaged file still at the name goes to the quarantine first, so nothing is overwritten.
    /// </summary>
    public void Restore(StagedMessage staged, ArchivedMessage row, string? damagedPath)
    {
        ArgumentNullException.ThrowIfNull(staged);
        ArgumentNullException.ThrowIfNull(row);
        if (staged.Unsynced is FileStream file)
        {
            File.SetLastWriteTimeUtc(file.SafeFileHandle, row.Metadata.ReceivedAt.UtcDateTime);
            file.Flush(flushToDisk: true);
            file.Dispose();
            staged.Unsynced = null;
        }

        if (damagedPath is not null && RegularFile.Exists(damagedPath))
            FileDamage.Quarantine(layout, damagedPath, clock);
        File.Move(staged.TmpPath, Path.Combine(layout.Cur, row.File + MaildirFileName.InfoSuffix), overwrite: false);
        DirectorySync.Sync(layout.Cur);
    }

    /// <summary>Drops a staged file that turned out to be a duplicate.</summary>
    public static void Discard(StagedMessage staged)
    {
        ArgumentNullException.ThrowIfNull(staged);
        staged.Unsynced?.Dispose();
        staged.Unsynced = null;
        TryDelete(staged.TmpPath);
    }

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
