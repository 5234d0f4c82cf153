using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Probe;

/// <summary>
/// Where a probe is submitted: <c>smtp://[user@]host[:port]</c> (STARTTLS when the server offers it, as MTAs
/// do; a password is never sent unencrypted unless insecure) or <c>smtps://[user@]host[:port]</c> (implicit TLS).
/// </summary>
public sealed record SmtpEndpoint(string Host, int Port, TlsMode Tls, string? User, bool Insecure)
{
    public override string ToString() => $"{(Tls == TlsMode.Implicit ? "smtps" : "smtp")}://{(User is null ? string.Empty : User + "@")}{Host}:{Port}";

    public static SmtpEndpoint Parse(string text, bool insecure)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0)
            throw MailRecoveryException.Usage($"'{text}' is not an SMTP URI.", "write smtp://host[:port] (STARTTLS when offered) or smtps://host[:port].");
        (TlsMode tls, int port) = uri.Scheme.ToLowerInvariant() switch
        {
            "smtp" => (TlsMode.StartTls, 25),
            "smtps" => (TlsMode.Implicit, 465),
            "submission" => (TlsMode.StartTls, 587),
            _ => throw MailRecoveryException.Usage($"'{uri.Scheme}' in '{text}' is not an SMTP scheme.", "use smtp:// or smtps://."),
        };
        string user = Uri.UnescapeDataString(uri.UserInfo);
        if (user.Contains(':', StringComparison.Ordinal))
            throw MailRecoveryException.Usage($"the SMTP URI for {uri.Host} contains a password.", "remove it and pass --smtp-password-file FILE.");
        return new SmtpEndpoint(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? port : uri.Port, tls, user.Length == 0 ? null : user, insecure);
    }
}
