using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Probe;

/// <summary>
/// An SMTP server to submit to, for alias verify's probe, config check and replay's SMTP target, on the one URI
/// grammar (<see cref="MailUri"/>): <c>smtp://[user@]host[:port]</c> (port 25; STARTTLS when the server offers it,
/// as MTAs do; a password is never sent unencrypted unless insecure), <c>submission://…</c> (the same on port 587,
/// RFC 6409) or <c>smtps://[user@]host[:port]</c> (port 465, implicit TLS, RFC 8314). <c>?tls=starttls</c> makes
/// STARTTLS required, <c>?tls=implicit</c> is smtps, <c>?tls=none</c> never starts TLS (with a user: only with
/// insecure). An IPv6 literal is written in brackets.
/// </summary>
public sealed record SmtpEndpoint(string Host, int Port, TlsMode Tls, string? User, bool Insecure)
{
    private static readonly string[] Schemes = ["smtp", "smtps", "submission"];

    /// <summary><c>?tls=starttls</c>: a server that does not offer STARTTLS is refused, with or without a login.</summary>
    public bool RequireStartTls { get; init; }

    public override string ToString() => $"{(Tls == TlsMode.Implicit ? "smtps" : "smtp")}://{(User is null ? string.Empty : User + "@")}{Host}:{Port}";

    /// <summary>Parses a submission URI (<c>--smtp</c>, <c>probe.smtp</c>).</summary>
    /// <exception cref="MailRecoveryException">Not an SMTP URI (usage).</exception>
    public static SmtpEndpoint Parse(string text, bool insecure) => Parse(text, insecure, SmtpUriWording.Submission);

    /// <summary>The SMTP schemes of the one grammar; <paramref name="wording"/> names the caller's flags in its errors.</summary>
    /// <exception cref="MailRecoveryException">Not an SMTP URI (usage).</exception>
    public static SmtpEndpoint Parse(string text, bool insecure, SmtpUriWording wording)
    {
        ArgumentNullException.ThrowIfNull(wording);
        MailUriRefusal refuse = (problem, detail) => wording.Refuse(problem, detail, text);
        MailUri uri = MailUri.Parse(text, Schemes, refuse);
        if (wording.PathOrQuery is not null && (uri.HasPath || uri.OtherParameters.Count > 0))
            throw wording.PathOrQuery(text);
        string? user = uri.User.Length == 0 ? null : uri.User;
        TlsMode tls = uri.TlsFor(uri.Scheme == "smtps", login: user is not null, insecure, refuse);
        int port = tls == TlsMode.Implicit ? 465 : uri.Scheme == "submission" ? 587 : 25;
        return new SmtpEndpoint(uri.Host, uri.Port ?? port, tls, user, insecure) { RequireStartTls = uri.Tls == MailUriTls.StartTls };
    }
}
