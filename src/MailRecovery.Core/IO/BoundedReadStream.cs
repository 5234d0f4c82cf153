namespace MailRecovery.Core.IO;

/// <summary>
/// Reads at most <see cref="Limit"/> bytes of a stream and throws when there is more: what keeps a server that
/// announced a size and then never stops sending from filling the archive's disk (a POP3 RETR whose end never
/// comes streams to disk, not to memory). Forward-only and read-only.
/// </summary>
public sealed class BoundedReadStream : Stream
{
    private readonly Stream inner;
    private readonly Func<long, Exception> tooLong;
    private long read;

    /// <param name="tooLong">The exception to throw once more than <paramref name="limit"/> bytes arrived (given the limit).</param>
    public BoundedReadStream(Stream inner, long limit, Func<long, Exception> tooLong)
    {
        this.inner = inner;
        Limit = limit;
        this.tooLong = tooLong;
    }

    /// <summary>The most bytes that may be read.</summary>
    public long Limit { get; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int n)
    {
        read += n;
        return read > Limit ? throw tooLong(Limit) : n;
    }
}
