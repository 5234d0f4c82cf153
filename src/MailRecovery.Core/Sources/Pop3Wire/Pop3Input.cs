using System.Text;
using MailKit.Net.Pop3;

namespace MailRecovery.Core.Sources.Pop3Wire;

/// <summary>
/// The buffered, timed byte channel under a <see cref="Pop3Session"/>: writes commands, reads bounded reply
/// lines, and hands out raw buffered bytes for a multi-line response to decode. Every read and write is cut off
/// after the timeout (a stalled server becomes a <see cref="TimeoutException"/>); the end of the connection
/// where more was due is a <see cref="Pop3ProtocolException"/>.
/// </summary>
internal sealed class Pop3Input : IAsyncDisposable
{
    /// <summary>
    /// RFC 2449 §4 bounds a response line at 512 octets; this is far more lenient, yet a server that never ends
    /// its line cannot make us hold more than this.
    /// </summary>
    public const int MaxReplyLine = 64 * 1024;

    private readonly TimeSpan timeout;
    /// <summary>64 KiB: one receive takes what a fast transfer has queued, and each piece of a message is one disk write.</summary>
    private readonly byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;

    public Pop3Input(Stream transport, TimeSpan timeout)
    {
        Transport = transport;
        this.timeout = timeout;
    }

    /// <summary>The stream commands go to and replies come from; replaced by the TLS layer after STLS.</summary>
    public Stream Transport { get; private set; }

    /// <summary>True when bytes the server sent have not been read yet.</summary>
    public bool HasBuffered => start < end;

    /// <summary>
    /// Puts TLS over the connection (RFC 2595 §4). Bytes already buffered would have come in clear text after the
    /// STLS reply, where nothing may be (an injection attempt), so there must be none.
    /// </summary>
    public async Task UpgradeAsync(Func<Stream, CancellationToken, Task<Stream>> secure, CancellationToken cancellationToken)
    {
        if (HasBuffered)
            throw new Pop3ProtocolException("the POP3 server sent data after its STLS reply, before TLS began");
        Transport = await secure(Transport, cancellationToken);
    }

    public Task WriteLineAsync(string command, CancellationToken cancellationToken) => WriteLinesAsync([command], cancellationToken);

    /// <summary>
    /// Sends several commands in one write (one TLS record, one segment): a pipelined group (RFC 2449 §6.6). The
    /// caller keeps the group small enough to fit the socket's send buffer while the server's replies wait unread.
    /// </summary>
    public async Task WriteLinesAsync(IReadOnlyList<string> commands, CancellationToken cancellationToken)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(string.Concat(commands.Select(c => c + "\r\n")));
        await TimedAsync(async t => await Transport.WriteAsync(bytes, t), cancellationToken);
        await TimedAsync(async t => await Transport.FlushAsync(t), cancellationToken);
    }

    /// <summary>Reads one reply line without its line end; longer than <see cref="MaxReplyLine"/> is a protocol error.</summary>
    public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        // The usual case, a line already whole in the buffer, is decoded from it in place (a listing is a line per message).
        int whole = HasBuffered ? Array.IndexOf(buffer, (byte)'\n', start, end - start) : -1;
        if (whole >= 0 && whole - start <= MaxReplyLine)
        {
            int length = whole - start;
            while (length > 0 && buffer[start + length - 1] == '\r')
                length--; // as TrimEnd('\r') below, without a second string
            string text = Encoding.UTF8.GetString(buffer, start, length);
            start = whole + 1;
            return text;
        }

        using var line = new MemoryStream();
        while (true)
        {
            if (!HasBuffered && !await FillAsync(cancellationToken))
                throw new Pop3ProtocolException("the POP3 server closed the connection");
            int newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            int stop = newline < 0 ? end : newline;
            line.Write(buffer, start, stop - start);
            start = newline < 0 ? end : newline + 1;
            if (line.Length > MaxReplyLine)
                throw new Pop3ProtocolException($"the POP3 server sent a reply line longer than {MaxReplyLine / 1024} KiB");
            if (newline >= 0)
                return Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length).TrimEnd('\r');
        }
    }

    /// <summary>The buffered bytes, read from the server first when there are none; empty at the end of the connection.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> PeekAsync(CancellationToken cancellationToken)
    {
        if (!HasBuffered)
            await FillAsync(cancellationToken);
        return buffer.AsMemory(start, end - start);
    }

    /// <summary>Marks <paramref name="count"/> bytes of the last <see cref="PeekAsync"/> as read.</summary>
    public void Consume(int count) => start += count;

    public ValueTask DisposeAsync() => Transport.DisposeAsync();

    /// <summary>One I/O step under the timeout.</summary>
    public async Task TimedAsync(Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await step(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the POP3 server did not respond within {timeout.TotalSeconds:0} s");
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        int read = 0;
        await TimedAsync(async t => read = await Transport.ReadAsync(buffer, t), cancellationToken);
        (start, end) = (0, read);
        return read > 0;
    }
}
