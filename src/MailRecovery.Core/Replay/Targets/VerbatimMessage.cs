using MimeKit;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// A <see cref="MimeMessage"/> that MailKit's IMAP APPEND and SMTP DATA write as a stream's bytes, never parsed and
/// never re-serialized: a replay sends what the archive holds (a message without headers, a leading <c>From </c>
/// line, a MIME preamble, NUL bytes: all as they are).
/// <para>
/// How: <see cref="MimeMessage.WriteTo(FormatOptions, Stream, CancellationToken)"/> is not virtual, and MailKit
/// (4.18: <c>ImapLiteral</c>, <c>SmtpClient.MessageData</c>) writes every message through it. It writes the merged
/// header fields, then the blank separator line (always for a message built in code, which MimeKit treats as
/// strict; for a parsed one only if the parse saw one, which only <see cref="ExperimentalMimeParser"/> records), then the body through the body entity's virtual
/// <c>WriteTo</c>. So the message here is parsed from a stub that holds only the body's two Content-* fields and
/// no blank line: no message fields, no separator; <see cref="Format"/> hides the two stub fields; and the body is
/// a <see cref="VerbatimPart"/>, whose <c>WriteTo</c> copies the stream. The stub declares
/// <c>Content-Transfer-Encoding: 8bit</c> so that MailKit's SMTP client sends <c>BODY=8BITMIME</c> (RFC 6152 §3)
/// whenever the server offers it; nothing marks it binary, so MailKit never switches to BDAT (RFC 3030).
/// </para>
/// </summary>
public static class VerbatimMessage
{
    private const string MediaType = "application/x-mailrecovery-verbatim";
    private static readonly byte[] Stub = "Content-Type: application/x-mailrecovery-verbatim\r\nContent-Transfer-Encoding: 8bit"u8.ToArray();

    /// <summary>A message that writes <paramref name="content"/> from its current position to its end.</summary>
    /// <param name="content">Left open; read once per write (MailKit's IMAP literal is measured first: see <see cref="VerbatimPart"/>).</param>
    /// <param name="crlf">True for SMTP: bare LF becomes CRLF (RFC 5321 §2.3.8). False for IMAP: a literal carries octets as they are (RFC 9051 §4.3).</param>
    /// <param name="prefix">Bytes written before the content (a Resent-* block), converted like it.</param>
    public static MimeMessage Create(Stream content, bool crlf, ReadOnlyMemory<byte> prefix = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var parser = new ParserOptions();
        parser.RegisterMimeType(MediaType, typeof(VerbatimPart));
        using var stub = new MemoryStream(Stub, writable: false);
        // The experimental parser records that the stub has no blank line; MimeParser always claims one.
        MimeMessage message = new ExperimentalMimeParser(parser, stub).ParseMessage();
        var part = message.Body as VerbatimPart ?? throw new InvalidOperationException("MimeKit did not build the verbatim part from its stub");
        part.Source = content;
        part.Origin = content.CanSeek ? content.Position : 0;
        part.ToCrlf = crlf;
        part.Prefix = prefix;
        return message;
    }

    /// <summary>The format options to write a message of <see cref="Create"/> with: the stub's fields hidden.</summary>
    public static FormatOptions Format(FormatOptions? basis = null)
    {
        FormatOptions format = (basis ?? FormatOptions.Default).Clone();
        format.HiddenHeaders.Add(HeaderId.ContentType);
        format.HiddenHeaders.Add(HeaderId.ContentTransferEncoding);
        return format;
    }
}
