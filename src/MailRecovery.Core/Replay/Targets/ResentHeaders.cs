using MimeKit;
using MimeKit.Utils;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// The resent block (RFC 5322 §3.6.6) an SMTP/LMTP replay can put on top of a message, so its readers can tell
/// it was sent again, when, by whom and to whom. Adding it is the one case where a replay changes the archived
/// bytes (the original follows the block unchanged); it is off unless asked for.
/// </summary>
public static class ResentHeaders
{
    /// <summary>Resent-Date, Resent-From, Resent-To and Resent-Message-ID, in the order they go on top.</summary>
    /// <param name="from">Who re-sent it: <c>--mail-from</c>, else the envelope sender.</param>
    public static IReadOnlyList<Header> Create(string from, IEnumerable<string> recipients, DateTimeOffset now)
    {
        int at = from.LastIndexOf('@');
        string domain = at >= 0 && at < from.Length - 1 ? from[(at + 1)..] : "mailrecovery.invalid";
        return
        [
            new Header(HeaderId.ResentDate, DateUtils.FormatDate(now)),
            new Header(HeaderId.ResentFrom, from),
            new Header(HeaderId.ResentTo, string.Join(", ", recipients)),
            new Header(HeaderId.ResentMessageId, $"<{MimeUtils.GenerateMessageId(domain)}>"),
        ];
    }

    /// <summary>The fields as written on the wire before the message (LF line ends: the data stream makes them CRLF).</summary>
    public static byte[] ToBytes(IReadOnlyList<Header> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        using var buffer = new MemoryStream();
        foreach (Header header in headers)
        {
            buffer.Write(header.RawField);
            buffer.WriteByte((byte)':');
            buffer.Write(header.RawValue);
        }

        return buffer.ToArray();
    }

    /// <summary>Size on the wire of <paramref name="headers"/>, for the SIZE= estimate (RFC 1870).</summary>
    public static long Length(IReadOnlyList<Header> headers) =>
        headers.Sum(h => (long)h.RawField.Length + 1 + h.RawValue.Length);
}
