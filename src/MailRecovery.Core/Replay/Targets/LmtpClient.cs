using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit.Net.Smtp;
using MailRecovery.Core.Sources.InputGuard;
using MimeKit.IO;
using MimeKit.IO.Filters;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// The smallest LMTP client (RFC 2033) a replay needs, since MailKit has none: greeting, LHLO, MAIL FROM,
/// RCPT TO, DATA with one reply per accepted recipient (§4.2), RSET, QUIT, over TCP or a unix socket. It speaks
/// no TLS and no AUTH: LMTP is the last hop of local delivery (§1), reached over loopback or a socket whose file
/// permissions decide who may deliver, as Dovecot and Cyrus set it up. Replies and errors reuse MailKit's SMTP
/// types. Any failure other than a refusal closes the connection: after one, the protocol state is unknown.
/// </summary>
public sealed class LmtpClient : IAsyncDisposable
{
    /// <summary>
    /// The longest reply taken, all its lines together: an LHLO reply is a few hundred bytes (RFC 5321 §4.5.3.1.5
    /// bounds a reply line at 512), so a server past this is flooding us, and the reply is never held whole.
    /// </summary>
    public const int MaxReplyBytes = 64 * 1024;

    private static readonly byte[] EndOfData = ".\r\n"u8.ToArray();
    private readonly TimeSpan timeout;
    private readonly HashSet<string> capabilities = new(StringComparer.OrdinalIgnoreCase);
    private readonly byte[] input = new byte[4096];
    private int inputStart;
    private int inputEnd;
    private int accepted;
    private NetworkStream? stream;

    /// <param name="timeout">How long one read, write or connect may take before the server counts as stalled.</param>
    public LmtpClient(TimeSpan timeout) => this.timeout = timeout;

    public bool IsConnected => stream is not null;

    /// <summary>
    /// The LHLO keywords, any case. Used: 8BITMIME, SMTPUTF8, SIZE. PIPELINING is not: one message to a few
    /// recipients over loopback or a socket gains little from it. ENHANCEDSTATUSCODES just shows in the replies.
    /// </summary>
    public IReadOnlySet<string> Capabilities => capabilities;

    /// <summary>Connects, reads the 220 greeting and sends LHLO (RFC 2033 §4.1).</summary>
    /// <param name="endPoint">A <see cref="DnsEndPoint"/> or <see cref="IPEndPoint"/> for TCP, a <see cref="UnixDomainSocketEndPoint"/> for a socket.</param>
    public async Task ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        Close();
        Socket socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await Timed(t => socket.ConnectAsync(endPoint, t), cancellationToken);
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        await Guarded(async () =>
        {
            Expect(await ReadReplyAsync(cancellationToken), 220, "greeting");
            SmtpResponse lhlo = Expect(await CommandAsync($"LHLO {Dns.GetHostName()}", cancellationToken), 250, "LHLO");
            capabilities.Clear();
            foreach (string line in lhlo.Response.Split('\n').Skip(1)) // the first line is the server's name
                capabilities.Add(line.Split(' ', 2)[0]);
        });
    }

    /// <summary>
    /// Starts a transaction. BODY=8BITMIME is declared whenever offered: RFC 6152 allows it for any content, and it
    /// spares reading the file to find out. SMTPUTF8 (RFC 6531 §3.4) only when asked; the caller checks it is offered.
    /// </summary>
    /// <param name="size">The message size for SIZE= (RFC 1870), or negative for none.</param>
    /// <exception cref="SmtpCommandException">The server refused the sender.</exception>
    public async Task MailFromAsync(string sender, bool smtpUtf8, long size, CancellationToken cancellationToken)
    {
        var command = new StringBuilder("MAIL FROM:<").Append(sender).Append('>');
        if (capabilities.Contains("8BITMIME"))
            command.Append(" BODY=8BITMIME");
        if (smtpUtf8)
            command.Append(" SMTPUTF8");
        if (capabilities.Contains("SIZE") && size >= 0)
            command.Append(CultureInfo.InvariantCulture, $" SIZE={size}");
        accepted = 0;
        SmtpResponse reply = await Guarded(() => CommandAsync(command.ToString(), cancellationToken));
        if (!IsPositive(reply))
            throw new SmtpCommandException(SmtpErrorCode.SenderNotAccepted, reply.StatusCode, reply.Response);
    }

    /// <summary>Names one recipient; the reply says whether it was accepted (2xx) and is the caller's to judge.</summary>
    public async Task<SmtpResponse> RcptToAsync(string recipient, CancellationToken cancellationToken)
    {
        SmtpResponse reply = await Guarded(() => CommandAsync($"RCPT TO:<{recipient}>", cancellationToken));
        if (IsPositive(reply))
            accepted++;
        return reply;
    }

    /// <summary>
    /// Sends DATA, <paramref name="prefix"/> and <paramref name="content"/> streamed with CRLF line ends (RFC 5321
    /// §2.3.8) and dot-stuffing (§4.5.2), the end-of-data mark, and reads one reply per accepted recipient, in
    /// RCPT order (RFC 2033 §4.2). A null reply is unknown: the connection broke after the end-of-data mark left.
    /// </summary>
    /// <exception cref="SmtpCommandException">The server refused DATA.</exception>
    /// <exception cref="IOException">The connection broke before the end of the message: the server cannot have taken it.</exception>
    public async Task<IReadOnlyList<SmtpResponse?>> DataAsync(ReadOnlyMemory<byte> prefix, Stream content, CancellationToken cancellationToken)
    {
        if (accepted == 0)
            throw new InvalidOperationException("DATA needs an accepted recipient.");
        int count = accepted;
        accepted = 0;
        await Guarded(async () =>
        {
            SmtpResponse go = await CommandAsync("DATA", cancellationToken);
            if ((int)go.StatusCode != 354)
                throw new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, go.StatusCode, go.Response);
            using var data = new FilteredStream(Stream);
            data.Add(new Unix2DosFilter());
            data.Add(new SmtpDataFilter()); // also ends a last line that has no line end
            await Timed(t => data.WriteAsync(prefix, t), cancellationToken);
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                await Timed(t => data.WriteAsync(buffer.AsMemory(0, read), t), cancellationToken);
            await Timed(t => new ValueTask(data.FlushAsync(t)), cancellationToken);
        });

        var replies = new SmtpResponse?[count];
        try
        {
            await Timed(t => Stream.WriteAsync(EndOfData, t), cancellationToken);
            for (int i = 0; i < count; i++)
                replies[i] = await ReadReplyAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or OverlongServerInputException or TimeoutException or OperationCanceledException)
        {
            Close(); // the rest stay null: unknown
            if (e is OperationCanceledException)
                throw;
        }

        return replies;
    }

    /// <summary>Aborts any transaction (RFC 5321 §4.1.1.5); also proves a kept-open connection is still alive.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        accepted = 0;
        await Guarded(async () => Expect(await CommandAsync("RSET", cancellationToken), 250, "RSET"));
    }

    /// <summary>Says goodbye (RFC 5321 §4.1.1.10) and closes.</summary>
    public async Task QuitAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (IsConnected)
                await CommandAsync("QUIT", cancellationToken);
        }
        finally
        {
            Close();
        }
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    private NetworkStream Stream => stream ?? throw new IOException("the LMTP connection is closed");

    private void Close()
    {
        stream?.Dispose();
        stream = null;
        inputStart = inputEnd = 0;
    }

    private static bool IsPositive(SmtpResponse reply) => (int)reply.StatusCode is >= 200 and < 300;

    private static SmtpResponse Expect(SmtpResponse reply, int code, string what) =>
        (int)reply.StatusCode == code ? reply
            : throw new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, reply.StatusCode, $"{what}: {reply.Response}");

    /// <summary>Runs a step; anything but a refusal leaves the protocol state unknown, so the connection is closed.</summary>
    private async Task<T> Guarded<T>(Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (Exception e) when (e is not SmtpCommandException)
        {
            Close();
            throw;
        }
    }

    private Task Guarded(Func<Task> step) => Guarded(async () => { await step(); return true; });

    /// <summary>One I/O step under the timeout; a stall becomes a <see cref="TimeoutException"/>.</summary>
    private async Task Timed(Func<CancellationToken, ValueTask> step, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await step(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the LMTP server did not respond within {timeout.TotalSeconds:0} s");
        }
    }

    private async Task<SmtpResponse> CommandAsync(string command, CancellationToken cancellationToken)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(command + "\r\n");
        await Timed(t => Stream.WriteAsync(bytes, t), cancellationToken);
        return await ReadReplyAsync(cancellationToken);
    }

    /// <summary>Reads a reply, multi-line ones (<c>250-…</c> … <c>250 …</c>, RFC 5321 §4.2.1) joined with LF.</summary>
    /// <exception cref="OverlongServerInputException">The reply went past <see cref="MaxReplyBytes"/>.</exception>
    private async Task<SmtpResponse> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        while (true)
        {
            string line = await ReadLineAsync(Math.Max(0, MaxReplyBytes - text.Length), cancellationToken);
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int code)
                || (line.Length > 3 && line[3] is not (' ' or '-')))
                throw new SmtpProtocolException($"the LMTP server sent a malformed reply: {line}");
            if (text.Length > 0)
                text.Append('\n');
            text.Append(line.AsSpan(Math.Min(4, line.Length)));
            // The whole reply is bounded, not only each line: an endless run of short "250-" lines is a flood too.
            if (text.Length > MaxReplyBytes)
                throw new OverlongServerInputException($"the LMTP server sent a reply longer than {MaxReplyBytes / 1024} KiB");
            if (line.Length == 3 || line[3] == ' ')
                return new SmtpResponse((SmtpStatusCode)code, text.ToString());
        }
    }

    /// <param name="limit">The most bytes the line may have, its line end not counted.</param>
    private async Task<string> ReadLineAsync(int limit, CancellationToken cancellationToken)
    {
        using var line = new MemoryStream();
        while (true)
        {
            if (inputStart == inputEnd)
            {
                int read = 0;
                await Timed(async t => read = await Stream.ReadAsync(input, t), cancellationToken);
                if (read == 0)
                    throw new SmtpProtocolException("the LMTP server closed the connection");
                (inputStart, inputEnd) = (0, read);
            }

            int newline = Array.IndexOf(input, (byte)'\n', inputStart, inputEnd - inputStart);
            line.Write(input, inputStart, (newline < 0 ? inputEnd : newline) - inputStart);
            inputStart = newline < 0 ? inputEnd : newline + 1;
            if (line.Length > limit)
                throw new OverlongServerInputException($"the LMTP server sent a reply longer than {MaxReplyBytes / 1024} KiB");
            if (newline >= 0)
                return Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length).TrimEnd('\r');
        }
    }
}
