namespace MailRecovery.Core.IO;

/// <summary>
/// Bytes already read from a stream, then the rest of that stream: how a message that turned out too large to
/// hold in memory goes on streaming from where it was. Forward-only and read-only; the prefix is not copied.
/// </summary>
public sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream rest) : Stream
{
    private int position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => position < prefixLength ? FromPrefix(buffer) : rest.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        position < prefixLength ? ValueTask.FromResult(FromPrefix(buffer.Span)) : rest.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int FromPrefix(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, prefixLength - position);
        prefix.AsSpan(position, n).CopyTo(buffer);
        position += n;
        return n;
    }
}
