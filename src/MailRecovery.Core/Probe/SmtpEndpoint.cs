using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Probe;

/// <summary>
/// An SMTP server to submit to, for alias verify's probe, config check and replay's SMTP target:
/// <c>smtp://[user@]host[:port]</c> (port 25; STARTTLS when the server offers it, as MTAs do; a password is never
/// sent unencrypted unless insecure), <c>submission://…</c> (the same on port 587, RFC 6409) or
/// <c>smtps://[user@]host[:port]</c> (port 465, implicit TLS, RFC 8314). An IPv6 literal is written in brackets.
/// </summary>
public sealed record SmtpEndpoint(string Host, int Port, TlsMode Tls, string? User, bool Insecure)
{
    public override string ToString() => $"{(Tls == TlsMode.Implicit ? "smtps" : "smtp")}://{(User is null ? string.Empty : User + "@")}{Host}:{Port}";

    /// <summary>Parses a submission URI (<c>--smtp</c>, <c>probe.smtp</c>).</summary>
    /// <exception cref="MailRecoveryException">Not an SMTP URI (usage).</exception>
    public static SmtpEndpoint Parse(string text, bool insecure) => Parse(text, insecure, SmtpUriWording.Submission);

    /// <summary>The one SMTP URI grammar; <paramref name="wording"/> names the caller's flags in its errors.</summary>
    /// <exception cref="MailRecoveryException">Not an SMTP URI (usage).</exception>
    public static SmtpEndpoint Parse(string text, bool insecure, SmtpUriWording wording)
    {
        ArgumentNullException.ThrowIfNull(wording);
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0)
            throw wording.NotSmtp(text);
        (TlsMode tls, int port) = uri.Scheme.ToLowerInvariant() switch
        {
            "smtp" => (TlsMode.StartTls, 25),
            "smtps" => (TlsMode.Implicit, 465),
            "submission" => (TlsMode.StartTls, 587),
            _ => throw wording.BadScheme(uri.Scheme, text),
        };
        string user = Uri.UnescapeDataString(uri.UserInfo);
        if (user.Contains(':', StringComparison.Ordinal))
            throw wording.Password(uri.Host);
        if (wording.PathOrQuery is not null && (uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0))
            throw wording.PathOrQuery(text);
        return new SmtpEndpoint(uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? port : uri.Port, tls, user.Length == 0 ? null : user, insecure);
    }
}
