using MailKit.Net.Pop3;

namespace MailRecovery.Core.Sources.Pop3Wire;

/// <summary>
/// The body of one multi-line response (a message from <c>TOP</c>) as a read-only stream, decoded while it is read
/// (<see cref="Pop3DotDecoder"/>): never more than the connection's buffer in memory. Its end is the terminating
/// "." line; a connection that ends before it throws <see cref="Pop3ProtocolException"/>, so a cut-off message
/// can never pass for a whole one.
/// </summary>
internal sealed class Pop3DataStream : Stream
{
    private readonly Pop3Input input;
    private Pop3DotDecoder decoder;

    public Pop3DataStream(Pop3Input input) => this.input = input;

    /// <summary>True once the terminating line was read: the session can send its next command.</summary>
    public bool Ended => decoder.Ended;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A piece may decode to nothing (a withheld dot at its end): read on until bytes come out or the end. Once
        // some came out, decode only what is already buffered: the caller gets big pieces (one disk write each)
        // without waiting on the network for more.
        int total = 0;
        while (total < buffer.Length && !decoder.Ended && (total == 0 || input.HasBuffered))
        {
            ReadOnlyMemory<byte> raw = await input.PeekAsync(cancellationToken);
            if (raw.IsEmpty)
                throw new Pop3ProtocolException("the POP3 server closed the connection in the middle of a message");
            (int consumed, int written) = decoder.Decode(raw.Span, buffer.Span[total..]);
            input.Consume(consumed);
            total += written;
        }

        return total;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Synchronous reads would block on the network: the message path is async (see STYLE.md).</summary>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read a POP3 message asynchronously");

    /// <summary>Reads and drops the rest of the response, so the session is ready for its next command.</summary>
    public async Task SkipRestAsync(CancellationToken cancellationToken)
    {
        if (decoder.Ended)
            return; // the usual case: the reader read the whole message
        byte[] sink = new byte[16 * 1024];
        while (await ReadAsync(sink, cancellationToken) > 0)
        {
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
