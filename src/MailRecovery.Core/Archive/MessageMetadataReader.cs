using MimeKit;
using MimeKit.Utils;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Reads <see cref="MessageMetadata"/> from the header block of a message file. Never throws on bad input:
/// a malformed message must still be archived, so each field falls back to null.
/// </summary>
public static class MessageMetadataReader
{
    /// <summary>The header that marks an alias probe; probes are excluded from replay by default.</summary>
    public const string ProbeHeader = "X-MailRecovery-Probe";

    [ThreadStatic]
    private static MimeParser? headerParser;

    /// <param name="content">The message, positioned at its start. Only the header block is read.</param>
    /// <param name="fallbackReceived">Used when no Received: header has a parseable date (IMAP INTERNALDATE, or the fetch time).</param>
    public static Task<MessageMetadata> ReadAsync(Stream content, DateTimeOffset fallbackReceived, ReceivedTimeSource fallbackSource, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Read(content, fallbackReceived, fallbackSource));
    }

    /// <summary>
    /// Synchronous on purpose: the header block is in memory or the page cache, and MimeKit's async parser over a
    /// FileStream hops threads for every 4 KB read (it was the largest cost of a fetch in a profile).
    /// </summary>
    public static MessageMetadata Read(Stream content, DateTimeOffset fallbackReceived, ReceivedTimeSource fallbackSource)
    {
        // One parser per thread, reused: HeaderList.Load makes a new MimeParser per call, whose buffers and copy of
        // the parser options were the largest allocation per message of a fetch (issue 15's profile). Read never
        // awaits, so the thread's parser is not used by two messages at once.
        MimeParser parser = headerParser ??= new MimeParser(ParserOptions.Default, Stream.Null, MimeFormat.Entity);
        HeaderList headers;
        try
        {
            parser.SetStream(content, MimeFormat.Entity, persistent: false);
            headers = parser.ParseHeaders();
        }
        catch (FormatException)
        {
            headers = [];
        }
        finally
        {
            parser.SetStream(Stream.Null, MimeFormat.Entity, persistent: false); // holds no message (or pooled buffer) between calls
        }

        DateTimeOffset? received = NewestReceivedDate(headers);
        string? deliveredTo = Addresses(headers, "Delivered-To");
        string? xOriginalTo = Addresses(headers, "X-Original-To");
        string? to = Addresses(headers, HeaderId.To);
        string? cc = Addresses(headers, HeaderId.Cc);
        string recipients = string.Join(' ', new[] { to, cc, deliveredTo, xOriginalTo }
            .Where(s => s is not null)
            .SelectMany(s => s!.Split(", ", StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.Ordinal));

        return new MessageMetadata(
            MessageId(headers),
            received ?? fallbackReceived,
            received is null ? fallbackSource : ReceivedTimeSource.ReceivedHeader,
            ParseDate(headers[HeaderId.Date]),
            Addresses(headers, HeaderId.From),
            to,
            cc,
            deliveredTo,
            xOriginalTo,
            recipients,
            Clean(headers[HeaderId.Subject]),
            headers.Contains(ProbeHeader));
    }

    /// <summary>
    /// The newest Received: header is the first one (RFC 5321 §4.4: each hop prepends its own). Its date
    /// follows the last ';'. A hop with an unparseable date is skipped in favour of the next one down.
    /// </summary>
    private static DateTimeOffset? NewestReceivedDate(HeaderList headers)
    {
        foreach (Header header in headers)
        {
            if (header.Id != HeaderId.Received)
                continue;
            string value = header.Value;
            int semicolon = value.LastIndexOf(';');
            if (semicolon >= 0 && ParseDate(value[(semicolon + 1)..]) is DateTimeOffset date)
                return date;
        }

        return null;
    }

    private static DateTimeOffset? ParseDate(string? text) =>
        text is not null && DateUtils.TryParse(text.Trim(), out DateTimeOffset date) ? date : null;

    internal static string? MessageId(HeaderList headers)
    {
        string? raw = headers[HeaderId.MessageId];
        if (string.IsNullOrWhiteSpace(raw))
            return null;
        string? parsed = MimeUtils.EnumerateReferences(raw).FirstOrDefault();
        return parsed ?? Clean(raw)?.Trim('<', '>');
    }

    private static string? Addresses(HeaderList headers, HeaderId id) => Addresses(headers, id.ToHeaderName());

    private static string? Addresses(HeaderList headers, string field)
    {
        var found = new List<string>();
        foreach (Header header in headers)
        {
            if (!header.Field.Equals(field, StringComparison.OrdinalIgnoreCase))
                continue;
            if (InternetAddressList.TryParse(header.Value, out InternetAddressList? list))
            {
                foreach (MailboxAddress mailbox in list.Mailboxes)
                    found.Add(mailbox.Address.ToLowerInvariant());
            }
            else if (Clean(header.Value) is string raw)
            {
                found.Add(raw.ToLowerInvariant());
            }
        }

        return found.Count == 0 ? null : string.Join(", ", found.Distinct(StringComparer.Ordinal));
    }

    private static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        string trimmed = text.Trim();
        return trimmed.Length > 998 ? trimmed[..998] : trimmed;
    }
}
