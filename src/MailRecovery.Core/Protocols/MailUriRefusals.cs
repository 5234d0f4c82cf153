using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Protocols;

/// <summary>
/// The shared words for the problems every scheme can have, so that the same mistake reads the same whether it
/// was made in a source, an SMTP or an LMTP URI. Each place keeps its own words for what only it names (its
/// flags, its examples) and falls back on these.
/// </summary>
public static class MailUriRefusals
{
    /// <summary>The only query parameter, as a fix names it.</summary>
    public const string TlsParameter = "?tls=implicit, ?tls=starttls or ?tls=none (none with --insecure when a password is sent)";

    /// <param name="problem">What is wrong.</param>
    /// <param name="detail">See <see cref="MailUriRefusal"/>.</param>
    /// <param name="text">The URI as written (it holds no password: one is refused before its text is shown).</param>
    /// <param name="what">What the URI is, for the messages: "source URI", "SMTP URI", "target".</param>
    /// <param name="passwordFix">Where the password goes instead, with the caller's flag.</param>
    public static MailRecoveryException Common(MailUriProblem problem, string detail, string text, string what, string passwordFix) => problem switch
    {
        MailUriProblem.Empty => MailRecoveryException.Usage($"the {what} is empty.", "give one like imaps://user@mail.example.com/INBOX."),
        MailUriProblem.NotAUri => MailRecoveryException.Usage($"'{text}' is not a {what}.", "write it as scheme://[user@]host[:port], with an IPv6 address in brackets: [2001:db8::1]."),
        MailUriProblem.BadScheme => MailRecoveryException.Usage($"'{detail}' in '{text}' is not a scheme for a {what}.", "use imap, imaps, pop3, pop3s, smtp, smtps or lmtp, as the place asks."),
        MailUriProblem.NoHost => MailRecoveryException.Usage($"'{text}' names no host.", "write the host after //, e.g. imaps://user@mail.example.com or smtp://[2001:db8::25]."),
        MailUriProblem.Password => MailRecoveryException.Usage($"the {what} for {detail} contains a password.", passwordFix),
        MailUriProblem.ZoneIndex => MailRecoveryException.Usage($"'{text}' names an IPv6 zone (the part after %).",
            "write the address without the zone: use the server's global or loopback address, not a link-local one."),
        MailUriProblem.PortZero => MailRecoveryException.Usage($"'{text}': port 0 is not a port.", "give the server's port, or leave it out for the default."),
        MailUriProblem.UnknownParameter => MailRecoveryException.Usage($"unknown URI parameter '{detail}' in '{text}'.", $"the only parameter is {TlsParameter}."),
        MailUriProblem.NotATlsMode => MailRecoveryException.Usage($"'tls={detail}' in '{text}' is not a TLS mode.", $"use {TlsParameter}."),
        MailUriProblem.Cleartext => MailRecoveryException.Usage($"'{text}' asks for an unencrypted connection.",
            "add --insecure if you really mean to send the password in clear text (only on loopback or a trusted network)."),
        MailUriProblem.TlsConflict => MailRecoveryException.Usage(
            $"'{text}' asks for implicit TLS and {(detail == "none" ? "no TLS" : "STARTTLS")} at once.",
            $"use the scheme without the s (imap://, pop3://, smtp://) with ?tls={detail}, or drop ?tls={detail}."),
        MailUriProblem.NoSocketPath => MailRecoveryException.Usage($"'{text}' names no socket path.", "write it as lmtp:/path/to/socket."),
        _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, null),
    };
}
