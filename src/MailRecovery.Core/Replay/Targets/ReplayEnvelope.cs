using System.Text;
using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// The SMTP/LMTP envelope of one replayed message (RFC 5321 §3.3): the reverse-path and the <c>--rcpt</c>
/// forward-paths. The reverse-path is the message's topmost Return-Path header, which the final delivery wrote
/// from the original MAIL FROM (RFC 5321 §4.4), so bounces of the replay go where bounces of the original went;
/// without one it is <c>--mail-from</c>.
/// </summary>
/// <param name="Sender">The reverse-path without angle brackets; empty for the null reverse-path &lt;&gt;.</param>
public sealed record ReplayEnvelope(string Sender, IReadOnlyList<string> Recipients)
{
    /// <summary>
    /// True when an envelope address is not ASCII. RFC 6531 §3.4 then requires the SMTPUTF8 parameter, and a
    /// server that does not offer SMTPUTF8 must not be given the message. UTF-8 in header fields alone does not
    /// count: it travels as 8-bit data under 8BITMIME, as MailKit and Postfix send it, because declaring SMTPUTF8
    /// for it makes Postfix bounce the message at a final hop without SMTPUTF8 (Dovecot 2.3's LMTP) instead of
    /// delivering it intact.
    /// </summary>
    public bool NeedsSmtpUtf8 => !Ascii.IsValid(Sender) || Recipients.Any(r => !Ascii.IsValid(r));

    /// <summary>
    /// Reads the Return-Path of the message at the current position of <paramref name="message"/> (which is left
    /// anywhere; seek back before sending).
    /// </summary>
    /// <param name="what">The message as named in errors (its archive file name).</param>
    /// <exception cref="MailRecoveryException">No Return-Path and no <paramref name="mailFrom"/> (a usage error).</exception>
    public static async Task<ReplayEnvelope> ReadAsync(Stream message, IReadOnlyList<string> recipients, string? mailFrom, string what, CancellationToken cancellationToken)
    {
        string? returnPath = await ReadReturnPathAsync(message, cancellationToken);
        string sender = returnPath ?? (mailFrom is null
            ? throw MailRecoveryException.Usage($"{what} has no Return-Path header, so its envelope sender is unknown.",
                "pass --mail-from ADDRESS (or --mail-from '<>' for the null sender bounces use).")
            : StripAngleBrackets(mailFrom));
        return new ReplayEnvelope(sender, recipients);
    }

    /// <summary>
    /// Checks the <c>--rcpt</c> list of an SMTP/LMTP target: at least one address, angle brackets dropped.
    /// </summary>
    /// <exception cref="MailRecoveryException">The list is empty or holds an empty address (a usage error).</exception>
    public static IReadOnlyList<string> CheckRecipients(IReadOnlyList<string>? recipients, string target)
    {
        if (recipients is null || recipients.Count == 0)
            throw MailRecoveryException.Usage($"--to {target}: no recipient given.", "name the mailbox(es) to deliver to with --rcpt ADDRESS (repeatable).");
        var list = recipients.Select(StripAngleBrackets).ToList();
        int bad = list.FindIndex(r => r.Length == 0 || r.Any(char.IsWhiteSpace));
        if (bad >= 0)
            throw MailRecoveryException.Usage($"--rcpt: '{recipients[bad]}' is not an address.", "give addresses like helpdesk@example.com.");
        return list;
    }

    /// <summary>
    /// The recipients as part of a journal key: lower case, sorted, so the same set is the same target in every
    /// run, and a replay to other recipients is another journal.
    /// </summary>
    public static string JournalPart(IReadOnlyList<string> recipients) =>
        string.Join(',', recipients.Select(r => r.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal));

    /// <summary>
    /// True when the file holds a byte above 127. RFC 6152 §3: such content goes only to a server that offers
    /// 8BITMIME; anything else would mean re-encoding it, which a replay never does. Reads the whole file, so it
    /// is asked only of servers without 8BITMIME (rare today).
    /// </summary>
    public static async Task<bool> ContainsEightBitAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = RegularFile.OpenRead(path, 1);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (buffer.AsSpan(0, read).IndexOfAnyExceptInRange((byte)0, (byte)127) >= 0)
                return true;
        }

        return false;
    }

    /// <summary>The value of the first Return-Path field of the header, unfolded, or null when there is none.</summary>
    private static async Task<string?> ReadReturnPathAsync(Stream message, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(message, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, 4096, leaveOpen: true);
        StringBuilder? value = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
                break; // the empty line ends the header (RFC 5322 §2.1)
            if (line[0] is ' ' or '\t')
            {
                value?.Append(line); // a folded continuation (RFC 5322 §2.2.3)
                continue;
            }

            if (value is not null)
                break; // the topmost Return-Path is complete: that is the one the final delivery wrote
            if (line.StartsWith("Return-Path:", StringComparison.OrdinalIgnoreCase))
                value = new StringBuilder(line["Return-Path:".Length..]);
        }

        return value is null ? null : StripAngleBrackets(value.ToString());
    }

    /// <summary><c>&lt;a@b&gt;</c> → <c>a@b</c>, <c>&lt;&gt;</c> → empty, and a source route (<c>&lt;@relay:a@b&gt;</c>) dropped as RFC 5321 §4.1.1.3 allows.</summary>
    private static string StripAngleBrackets(string text)
    {
        string value = text.Trim();
        int open = value.IndexOf('<', StringComparison.Ordinal);
        int close = value.LastIndexOf('>');
        if (open >= 0 && close > open)
            value = value[(open + 1)..close].Trim();
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (value.StartsWith('@') && colon > 0)
            value = value[(colon + 1)..];
        return value;
    }
}
