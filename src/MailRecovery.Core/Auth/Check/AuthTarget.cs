using MailRecovery.Core.Probe;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Auth.Check;

/// <summary>
/// One server <c>auth test</c> signs in to: an IMAP or POP3 endpoint, or an SMTP submission endpoint; with what it is
/// for in the configuration (<see cref="Use"/>) and, when not the account's own, its credential and trust.
/// </summary>
public sealed record AuthTarget
{
    private AuthTarget(string protocol, string host, int port, string? user, SourceEndpoint? mailbox, SmtpEndpoint? smtp)
    {
        (Protocol, Host, Port, User, Mailbox, Smtp) = (protocol, host, port, user, mailbox, smtp);
    }

    /// <summary>IMAP, POP3 or SMTP.</summary>
    public string Protocol { get; }

    public string Host { get; }

    public int Port { get; }

    /// <summary>The user the sign-in names (the mailbox for XOAUTH2).</summary>
    public string? User { get; }

    public SourceEndpoint? Mailbox { get; }

    public SmtpEndpoint? Smtp { get; }

    /// <summary>What the endpoint is for, as the configuration names it: "account", "primary", "probe.smtp", "alerts.mail", ...</summary>
    /// <value>The default value is "source".</value>
    public string Use { get; init; } = "source";

    /// <summary>The credential this endpoint signs in with; null: <see cref="AuthTestOptions.Credential"/> (the account's).</summary>
    public Protocols.Credential? Credential { get; init; }

    /// <summary>The certificates trusted for this endpoint; null: <see cref="AuthTestOptions.Trust"/>.</summary>
    public CertificateTrust? Trust { get; init; }

    public static AuthTarget Of(SourceEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new(endpoint.Protocol == MailProtocol.Pop3 ? "POP3" : "IMAP", endpoint.Host, endpoint.Port, endpoint.User, endpoint, null);
    }

    public static AuthTarget Of(SmtpEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new("SMTP", endpoint.Host, endpoint.Port, endpoint.User, null, endpoint);
    }

    /// <summary>host:port, IPv6 literals bracketed.</summary>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
