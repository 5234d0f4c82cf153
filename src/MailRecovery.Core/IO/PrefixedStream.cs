namespace MailRecovery.Core.IO;

/// <summary>
/// Bytes already read from a stream (<paramref name="prefix"/>), then the rest of that stream: how a message that
/// turned out too large to hold in memory goes on streaming from where it was. Forward-only and read-only.
/// </summary>
public sealed class PrefixedStream(Stream prefix, Stream rest) : Stream
{
    private bool prefixDone;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = prefixDone || buffer.Length == 0 ? 0 : prefix.Read(buffer);
        prefixDone |= n == 0;
        return n > 0 ? n : rest.Read(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = prefixDone || buffer.Length == 0 ? 0 : await prefix.ReadAsync(buffer, cancellationToken);
        prefixDone |= n == 0;
        return n > 0 ? n : await rest.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
