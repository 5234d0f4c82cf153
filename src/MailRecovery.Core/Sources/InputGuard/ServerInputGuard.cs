using MailKit;

namespace MailRecovery.Core.Sources.InputGuard;

/// <summary>
/// Bounds what a server can make a MailKit client hold: more than <see cref="MaxLineBytes"/> without a line end
/// (for SMTP: without the end of a reply) is an <see cref="OverlongServerInputException"/>.
/// <para>
/// MailKit reads a protocol line until it ends, however long (an endless IMAP greeting grew to 8 GB), and has no
/// limit of its own. The guard sits where MailKit shows every byte it has read from the server: its protocol
/// logger, which it calls with each block right after the read, after TLS (implicit or STARTTLS alike, where
/// a stream under MailKit would see only ciphertext), before it parses the block. An exception thrown there
/// ends the read as a broken stream would: MailKit marks the connection dead and rethrows it. The real
/// protocol log, if any, is the inner logger and gets every byte as before.
/// </para>
/// <para>
/// IMAP message content (a <c>BODY[]</c> literal in a FETCH response) is not counted, so a message with a 20 MB
/// line is archived as it is; the bytes after an announced literal are a line again, so a literal longer than
/// announced is caught too. Every connection starts afresh at <see cref="LogConnect"/>.
/// </para>
/// </summary>
public sealed class ServerInputGuard : IProtocolLogger
{
    /// <summary>The longest line (SMTP: reply) accepted: 16 MiB, thousands of times any real one, yet small for the process.</summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    /// <summary>Bytes kept of a response's start and of a line's end, enough to read a FETCH item and a literal announcement.</summary>
    private const int Keep = 256;

    private readonly IProtocolLogger inner;
    private readonly long maxLine;
    private readonly byte[] head = new byte[Keep];
    private readonly byte[] tail = new byte[Keep];
    private int headLength;
    private int tailLength;
    private long lineBytes;
    private long literalLeft;
    private bool headDone;

    /// <param name="framing">The protocol whose lines are counted.</param>
    /// <param name="inner">The protocol log to pass everything on to; null for none.</param>
    /// <param name="maxLineBytes">The bound; tests lower it.</param>
    public ServerInputGuard(ServerFraming framing, IProtocolLogger? inner = null, long maxLineBytes = MaxLineBytes)
    {
        Framing = framing;
        this.inner = inner ?? new NullProtocolLogger();
        maxLine = maxLineBytes;
    }

    public ServerFraming Framing { get; }

    public IAuthenticationSecretDetector? AuthenticationSecretDetector
    {
        get => inner.AuthenticationSecretDetector;
        set => inner.AuthenticationSecretDetector = value;
    }

    public void LogConnect(Uri uri)
    {
        (headLength, tailLength, lineBytes, literalLeft, headDone) = (0, 0, 0, 0, false);
        inner.LogConnect(uri);
    }

    public void LogClient(byte[] buffer, int offset, int count) => inner.LogClient(buffer, offset, count);

    /// <exception cref="OverlongServerInputException">The server went past the bound.</exception>
    public void LogServer(byte[] buffer, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        inner.LogServer(buffer, offset, count);
        Inspect(buffer.AsSpan(offset, count));
    }

    public void Dispose() => inner.Dispose();

    private void Inspect(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (literalLeft > 0)
            {
                // Literal bytes: message content is not counted, any other literal was counted when announced.
                int skip = (int)Math.Min(literalLeft, data.Length);
                literalLeft -= skip;
                data = data[skip..];
                continue;
            }

            int newline = data.IndexOf((byte)'\n');
            ReadOnlySpan<byte> part = newline < 0 ? data : data[..newline];
            Count(part);
            data = newline < 0 ? [] : data[(newline + 1)..];
            if (newline >= 0)
                EndOfLine();
        }
    }

    private void Count(ReadOnlySpan<byte> part)
    {
        lineBytes += part.Length;
        if (lineBytes > maxLine)
            throw Overlong();
        if (!headDone)
        {
            int take = Math.Min(part.Length, Keep - headLength);
            part[..take].CopyTo(head.AsSpan(headLength));
            headLength += take;
        }

        if (part.Length >= Keep)
        {
            part[^Keep..].CopyTo(tail);
            tailLength = Keep;
            return;
        }

        int kept = Math.Min(tailLength, Keep - part.Length);
        tail.AsSpan(tailLength - kept, kept).CopyTo(tail);
        part.CopyTo(tail.AsSpan(kept));
        tailLength = kept + part.Length;
    }

    private void EndOfLine()
    {
        ReadOnlySpan<byte> line = tail.AsSpan(0, tailLength);
        tailLength = 0;
        headDone = true;
        switch (Framing)
        {
            case ServerFraming.Imap when ImapLiterals.AnnouncedSize(line) is long size:
                // The response goes on after the literal (RFC 9051 §4.3): same line, same count.
                literalLeft = size;
                if (!ImapLiterals.IsMessageContent(head.AsSpan(0, headLength), line))
                {
                    lineBytes = size > maxLine ? long.MaxValue : lineBytes + size;
                    if (lineBytes > maxLine)
                        throw Overlong();
                }

                return;
            case ServerFraming.Smtp when head.AsSpan(0, headLength) is [_, _, _, (byte)'-', ..]:
                // A continuation line (RFC 5321 §4.2.1): the reply is not over, MailKit keeps collecting it.
                headLength = 0;
                headDone = false;
                return;
        }

        lineBytes = 0;
        headLength = 0;
        headDone = false;
    }

    private OverlongServerInputException Overlong() =>
        new($"the server sent {(Framing == ServerFraming.Smtp ? "a reply" : "a line")} longer than {Size(maxLine)}");

    private static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / 1024} KiB";
}
