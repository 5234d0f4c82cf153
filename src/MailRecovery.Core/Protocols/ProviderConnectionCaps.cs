namespace MailRecovery.Core.Protocols;

/// <summary>
/// The connection limits of the providers most helpdesk copy accounts live at, matched by host name. Limits come in
/// two kinds: per server and client IP (what <c>watch.maxConnectionsPerServer</c> and <c>watch.connectionCaps</c>
/// cap) and per mailbox (the provider refuses the next login of the same user, e.g. Gmail's "[ALERT] Too many
/// simultaneous connections"). Watch and replay stay under both; an unknown host gets the configured per-server cap
/// and Dovecot's per-user default (<see cref="UnknownPerMailbox"/>).
/// </summary>
public static class ProviderConnectionCaps
{
    /// <summary>
    /// Dovecot's <c>mail_max_userip_connections</c> default: 10 connections per user and client IP (per protocol),
    /// the limit a self-hosted IMAP or POP3 server most likely has. Exchange Server's <c>MaxConnectionsPerUser</c>
    /// (16) and Stalwart's <c>maxConcurrent</c> (16) are higher.
    /// </summary>
    public const int UnknownPerMailbox = 10;

    /// <summary>
    /// Exchange Online, IMAP and POP3. Per mailbox: Exchange Online's throttling allows 20 concurrent IMAP and 20
    /// POP3 connections per mailbox (the Exchange team's "Exchange Online throttling and limits FAQ", 2011; Microsoft's
    /// current "Exchange Online limits" page publishes no number), and Exchange Server's documented default is 16 per
    /// user (Set-ImapSettings -MaxConnectionsPerUser,
    /// https://learn.microsoft.com/exchange/set-connection-limits-for-imap4-exchange-2013-help): the lower one, 16.
    /// Per server: no per-IP limit is published for Exchange Online, but app-only access (IMAP.AccessAsApp) is
    /// throttled per app and tenant with budgets Microsoft does not publish either; 8 passes at once is a
    /// conservative guess, not a documented figure. A throttled pass waits the Suggested Backoff Time (docs/oauth2.md).
    /// </summary>
    private static readonly KnownProvider ExchangeOnline = new("Exchange Online", 8, 16,
        "16 per mailbox (Exchange's per-user IMAP/POP default; Exchange Online is cited at 20); 8 per server, a conservative guess for app-only throttling");

    /// <summary>
    /// Exchange Online SMTP AUTH submission: Microsoft's troubleshooting article for "432 4.3.2
    /// STOREDRV.ClientSubmit; sender thread limit exceeded" says at most 3 connections per mailbox may send at once
    /// (recalled, not found through the search used here; 3 is also the conservative choice).
    /// </summary>
    private static readonly KnownProvider ExchangeOnlineSmtp = new("Exchange Online (SMTP)", 8, 3,
        "3 sending connections per mailbox (\"432 4.3.2 sender thread limit exceeded\" beyond)");

    /// <summary>
    /// Gmail IMAP and POP3: 15 simultaneous connections per account, "[ALERT] Too many simultaneous connections"
    /// beyond (widely reported; Google's help pages state only bandwidth limits,
    /// https://support.google.com/a/answer/1071518). Per server: Google publishes no per-IP limit; the default 16.
    /// </summary>
    private static readonly KnownProvider Gmail = new("Gmail", 16, 15, "15 simultaneous IMAP connections per account");

    /// <summary>
    /// Gmail SMTP: Google publishes no connection limit for smtp.gmail.com, only sending limits per day; 4 sessions
    /// per mailbox is a conservative choice, not a documented figure.
    /// </summary>
    private static readonly KnownProvider GmailSmtp = new("Gmail (SMTP)", 16, 4, "no published limit; 4 per mailbox is a conservative choice");

    private static readonly Dictionary<string, KnownProvider> Hosts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["outlook.office365.com"] = ExchangeOnline,
        ["outlook.office.com"] = ExchangeOnline,
        ["imap-mail.outlook.com"] = ExchangeOnline,
        ["pop-mail.outlook.com"] = ExchangeOnline,
        ["smtp.office365.com"] = ExchangeOnlineSmtp,
        ["smtp-mail.outlook.com"] = ExchangeOnlineSmtp,
        ["imap.gmail.com"] = Gmail,
        ["pop.gmail.com"] = Gmail,
        ["imap.googlemail.com"] = Gmail,
        ["pop.googlemail.com"] = Gmail,
        ["smtp.gmail.com"] = GmailSmtp,
        ["smtp.googlemail.com"] = GmailSmtp,
    };

    /// <summary>The provider serving <paramref name="host"/> (a trailing dot and case ignored), or null when unknown.</summary>
    public static KnownProvider? Find(string host) =>
        Hosts.TryGetValue(host.TrimEnd('.'), out KnownProvider? provider) ? provider : null;

    /// <summary>
    /// The per-server cap for <paramref name="host"/>: the configured override for that host if any, else the
    /// lower of <paramref name="configured"/> and the known provider's, else <paramref name="configured"/>;
    /// with the reason for the log line.
    /// </summary>
    /// <param name="configured"><c>watch.maxConnectionsPerServer</c> (or its default).</param>
    /// <param name="overrides"><c>watch.connectionCaps</c>: host → cap, case-insensitive.</param>
    public static (int Cap, string Why) PerServer(string host, int configured, IReadOnlyDictionary<string, int> overrides)
    {
        if (overrides.TryGetValue(host.TrimEnd('.'), out int given))
            return (given, $"watch.connectionCaps[\"{host}\"]");
        if (Find(host) is { } provider && provider.PerServer < configured)
            return (provider.PerServer, $"{provider.Name}: {provider.Source}");
        return (configured, "watch.maxConnectionsPerServer");
    }

    /// <summary>The most connections one mailbox (user) on <paramref name="host"/> may hold at once, with the reason.</summary>
    public static (int Cap, string Why) PerMailbox(string host) =>
        Find(host) is { } provider ? (provider.PerMailbox, $"{provider.Name}: {provider.Source}")
            : (UnknownPerMailbox, "unknown server: Dovecot's default mail_max_userip_connections");

    /// <summary>
    /// Replay's delivery lanes (<c>--connections</c>) for <paramref name="targetUri"/>: all of them sign in as the one
    /// target mailbox, so a known provider's per-mailbox limit caps them. Returns the lanes to use and, when fewer
    /// than asked, the one-line notice replay prints.
    /// </summary>
    public static (int Lanes, string? Notice) ClampLanes(string targetUri, int connections)
    {
        if (!Uri.TryCreate(targetUri, UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host)
            || Find(uri.Host) is not { } provider || connections <= provider.PerMailbox)
            return (connections, null);
        return (provider.PerMailbox, $"connections: {provider.PerMailbox}, not {connections} ({provider.Name}: {provider.Source})");
    }
}
