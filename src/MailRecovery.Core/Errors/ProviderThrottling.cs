using System.Globalization;
using System.Text.RegularExpressions;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;

namespace MailRecovery.Core.Errors;

/// <summary>
/// Recognises a provider's "slow down" in a server reply, so that it becomes a wait, not a failure:
/// <list type="bullet">
/// <item>Exchange Online answers an IMAP, POP3 or SMTP command it throttles with a reply carrying
/// "Suggested Backoff Time: N milliseconds" (often with the IMAP response code <c>[THROTTLED]</c>): wait N, capped
/// at <see cref="MaxSuggestedBackoff"/>;</item>
/// <item>Gmail answers with <c>[OVERQUOTA]</c> or "Account exceeded command or bandwidth limits" once a mailbox's
/// daily or hourly bandwidth is used up: the limit resets on Google's schedule, so the account pauses for
/// <see cref="QuotaPause"/>;</item>
/// <item><c>[THROTTLED]</c> without a time: a short-term rate limit: <see cref="UnspecifiedBackoff"/>.</item>
/// </list>
/// Only the server's reply text is read (never the message data), and only from command refusals, where the
/// connection itself is fine: a broken stream stays a plain transient failure.
/// </summary>
public static partial class ProviderThrottling
{
    /// <summary>The longest a server's suggested backoff is honoured; a larger figure is a broken server.</summary>
    public static readonly TimeSpan MaxSuggestedBackoff = TimeSpan.FromMinutes(5);

    /// <summary>How long an account pauses after Gmail's bandwidth or command quota is exhausted.</summary>
    public static readonly TimeSpan QuotaPause = TimeSpan.FromMinutes(15);

    /// <summary>The wait after a <c>[THROTTLED]</c> that names no time.</summary>
    public static readonly TimeSpan UnspecifiedBackoff = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The wait <paramref name="error"/> (or an exception inside it) asks for, or null when it is not a throttling
    /// reply. An exception already classified keeps its <see cref="MailRecoveryException.RetryAfter"/>.
    /// </summary>
    public static TimeSpan? RetryAfter(Exception? error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is MailRecoveryException { RetryAfter: { } known })
                return known;
            if (ReplyText(e) is { } text && Parse(text) is { } wait)
                return wait;
        }

        return null;
    }

    /// <summary>True when <paramref name="error"/> is a throttling reply (so not the refused message's fault).</summary>
    public static bool IsThrottling(Exception? error) => RetryAfter(error) is not null;

    /// <summary>The wait a reply text asks for, or null.</summary>
    public static TimeSpan? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Match backoff = SuggestedBackoff().Match(text);
        if (backoff.Success && long.TryParse(backoff.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long ms))
            return TimeSpan.FromMilliseconds(Math.Min(ms, (long)MaxSuggestedBackoff.TotalMilliseconds));
        if (text.Contains("[OVERQUOTA]", StringComparison.OrdinalIgnoreCase)
            || text.Contains("exceeded command or bandwidth limits", StringComparison.OrdinalIgnoreCase))
            return QuotaPause;
        if (text.Contains("[THROTTLED]", StringComparison.OrdinalIgnoreCase))
            return UnspecifiedBackoff;
        return null;
    }

    /// <summary>
    /// The classified form of a throttling reply: transient, for the account, with the wait; null when
    /// <paramref name="error"/> is not one.
    /// </summary>
    public static MailRecoveryException? Classify(Exception error, string thing)
    {
        if (error is MailRecoveryException || RetryAfter(error) is not { } wait)
            return null;
        string said = (ReplyText(error) ?? error.Message).Trim();
        bool quota = wait == QuotaPause;
        return new MailRecoveryException(FailureKind.Transient, FailureScope.Account,
            quota
                ? $"{thing}: the provider's quota for this mailbox is used up ({said}); pausing the account for {wait.TotalMinutes:0} minutes."
                : $"{thing}: the server is throttling ({said}); waiting {wait.TotalSeconds:0.#} s as it asks.",
            quota
                ? "nothing to do: the account resumes by itself when the limit resets; fewer accounts or passes on the same mailbox help."
                : "nothing to do: the run resumes after the wait, and it is not counted as a failure.",
            error)
        {
            RetryAfter = wait,
        };
    }

    /// <summary>What the server said, from the exceptions that carry a reply to a refused command.</summary>
    private static string? ReplyText(Exception e) => e switch
    {
        ImapCommandException imap => $"{imap.ResponseText} {imap.Message}",
        Pop3CommandException or SmtpCommandException or MailKit.Security.AuthenticationException => e.Message,
        _ => null,
    };

    [GeneratedRegex(@"Suggested\s+Backoff\s+Time:\s*(\d{1,9})\s*milliseconds", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SuggestedBackoff();
}
