namespace MailRecovery.Core.Protocols;

/// <summary>What an endpoint URI's <c>?tls=</c> asks for.</summary>
public enum MailUriTls
{
    /// <summary>No <c>?tls=</c>: the scheme decides (imaps/pop3s/smtps implicit; imap/pop3 STARTTLS required; smtp STARTTLS when offered).</summary>
    Default,

    /// <summary><c>?tls=implicit</c>: TLS from the first byte, as the scheme with an "s" (RFC 8314), on its port by default.</summary>
    Implicit,

    /// <summary><c>?tls=starttls</c>: STARTTLS, and a server that does not offer it is refused (for SMTP too).</summary>
    StartTls,

    /// <summary><c>?tls=none</c>: no encryption; with a login only together with <c>--insecure</c>.</summary>
    None,
}
