using System.Globalization;
using MailKit.Net.Pop3;

namespace MailRecovery.Core.Sources.Pop3Wire;

/// <summary>
/// Parses the lines a POP3 server answers with. Anything that does not parse is a <see cref="Pop3ProtocolException"/>
/// quoting at most 80 characters of the line, so a hostile server's junk never fills a log.
/// </summary>
internal static class Pop3Reply
{
    /// <summary>A status indicator (RFC 1939 §3): "+OK" or "-ERR", then optional text.</summary>
    public static (bool Ok, string Text) Status(string line)
    {
        if (line.StartsWith("+OK", StringComparison.Ordinal))
            return (true, line[3..].Trim());
        if (line.StartsWith("-ERR", StringComparison.Ordinal))
            return (false, line[4..].Trim());
        throw new Pop3ProtocolException($"the POP3 server sent a malformed reply: {Shorten(line)}");
    }

    /// <summary>
    /// A "number value" line of a LIST or UIDL listing (RFC 1939 §5, §7): the positive number, and the word after it
    /// (words are separated by spaces; anything after the second word is ignored). Read in place: one listing has
    /// a line per message.
    /// </summary>
    public static int Split(string line, string command, out ReadOnlySpan<char> value)
    {
        ReadOnlySpan<char> rest = line.AsSpan().TrimStart(' ');
        int space = rest.IndexOf(' ');
        if (space < 0 || !int.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n <= 0)
            throw Garbled(command, line);
        rest = rest[space..].TrimStart(' ');
        int end = rest.IndexOf(' ');
        value = end < 0 ? rest : rest[..end];
        return value.IsEmpty ? throw Garbled(command, line) : n;
    }

    public static Pop3ProtocolException Garbled(string command, string line) => new($"the POP3 server sent a malformed {command} line: {Shorten(line)}");

    public static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "…";
}
