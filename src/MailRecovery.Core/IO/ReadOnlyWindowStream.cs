namespace MailRecovery.Core.IO;

/// <summary>
/// Reads the first <c>length</c> bytes of another stream without owning it (the inner stream is not
/// disposed), so a parser can look at a file that is still open for writing.
/// </summary>
public sealed class ReadOnlyWindowStream : Stream
{
    private readonly Stream inner;
    private readonly long length;

    public ReadOnlyWindowStream(Stream inner, long length)
    {
        this.inner = inner;
        this.length = length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        inner.Read(buffer, offset, (int)Math.Min(count, Math.Max(0, length - inner.Position)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, Math.Max(0, length - inner.Position))], cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
