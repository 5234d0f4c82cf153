using System.Text;
using System.Text.RegularExpressions;

namespace MailRecovery.Core.Sources.InputGuard;

/// <summary>
/// Reads the literal announcement at the end of an IMAP line (RFC 9051 §4.3 <c>{N}</c>, RFC 7888 <c>{N+}</c>,
/// RFC 3516 <c>~{N}</c>) and tells whether it carries message content that MailKit streams.
/// </summary>
internal static partial class ImapLiterals
{
    /// <summary>
    /// The announced size, or null when <paramref name="tail"/> (the end of a line, without its LF) announces none.
    /// A size too large for a long counts as <see cref="long.MaxValue"/>.
    /// </summary>
    public static long? AnnouncedSize(ReadOnlySpan<byte> tail)
    {
        if (tail.Length > 0 && tail[^1] == (byte)'\r')
            tail = tail[..^1];
        if (tail.Length < 3 || tail[^1] != (byte)'}')
            return null;
        int open = tail.LastIndexOf((byte)'{');
        if (open < 0)
            return null;
        ReadOnlySpan<byte> digits = tail[(open + 1)..^1];
        if (digits.Length > 0 && digits[^1] == (byte)'+')
            digits = digits[..^1];
        if (digits.Length == 0)
            return null;
        long size = 0;
        foreach (byte b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
                return null;
            size = size > (long.MaxValue - 9) / 10 ? long.MaxValue : (size * 10) + (b - '0');
        }

        return size;
    }

    /// <summary>
    /// True when the literal is the message content of a FETCH response (<c>BODY[]</c>, <c>BODY[1.2]</c>,
    /// <c>BODY[TEXT]</c>, <c>BINARY[…]</c>, each with an optional <c>&lt;origin&gt;</c>, or <c>RFC822</c> and
    /// <c>RFC822.TEXT</c>, RFC 9051 §7.5.2): those may legitimately be any size and hold lines of any length,
    /// and MailKit hands them to us as streams. Header sections (<c>BODY[HEADER…]</c>, <c>…MIME</c>,
    /// <c>RFC822.HEADER</c>) and every other literal (a mailbox name, an envelope string) are parsed into memory
    /// by MailKit, so they stay counted.
    /// </summary>
    /// <param name="head">The first bytes of the response (up to its first literal).</param>
    /// <param name="tail">The last bytes before the announcement's line end.</param>
    public static bool IsMessageContent(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail) =>
        FetchResponse().IsMatch(Encoding.Latin1.GetString(head)) && BodyItem().IsMatch(Encoding.Latin1.GetString(tail));

    [GeneratedRegex(@"^\* [0-9]+ FETCH \(", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FetchResponse();

    [GeneratedRegex(@"[ (](?:(?:BODY|BINARY)\[(?:[0-9]+(?:\.[0-9]+)*)?(?:\.?TEXT)?\](?:<[0-9]+>)?|RFC822(?:\.TEXT)?) ~?\{[0-9]+\+?\}\r?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BodyItem();
}
