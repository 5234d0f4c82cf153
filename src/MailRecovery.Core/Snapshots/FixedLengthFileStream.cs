using System.Security.Cryptography;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// A file's content as the tar writer takes it: exactly <paramref name="length"/> bytes, the size lstat gave
/// before the read, hashed on the way. The tar header states the size before the data, so a file that grows
/// while it is read is cut at that size and one that shrinks is padded with zeros; either way the tar stays
/// readable, the manifest holds the hash of what is in the tar, and <see cref="ReadShort"/> or the lstat after
/// the read reports the change.
/// </summary>
internal sealed class FixedLengthFileStream(Stream inner, long length) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long position;

    /// <summary>True when the file ended before <see cref="Length"/> bytes: it shrank during the read.</summary>
    public bool ReadShort { get; private set; }

    public override bool CanRead => true;

    // Seekable in name only: the tar writer reads Length and Position to size the entry.
    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => position;
        set => throw new NotSupportedException();
    }

    public string HexHash() => Convert.ToHexStringLower(hash.GetCurrentHash());

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int want = (int)Math.Min(buffer.Length, length - position);
        if (want == 0)
            return 0;
        int n = ReadShort ? 0 : inner.Read(buffer[..want]);
        return Take(buffer, want, n);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int want = (int)Math.Min(buffer.Length, length - position);
        if (want == 0)
            return 0;
        int n = ReadShort ? 0 : await inner.ReadAsync(buffer[..want], cancellationToken);
        return Take(buffer.Span, want, n);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Take(Span<byte> buffer, int want, int n)
    {
        if (n == 0)
        {
            // The file ended early: zeros keep the tar's promised size.
            ReadShort = true;
            buffer[..want].Clear();
            n = want;
        }

        hash.AppendData(buffer[..n]);
        position += n;
        return n;
    }
}
