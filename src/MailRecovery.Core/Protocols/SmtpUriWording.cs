using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Protocols;

/// <summary>
/// How a refused SMTP URI is told, per place that takes one: the grammar is one (<see cref="Probe.SmtpEndpoint.Parse(string, bool, SmtpUriWording)"/>),
/// but alias verify's <c>--smtp</c> and replay's <c>--to</c> name their own flags in the fix.
/// </summary>
/// <param name="NotSmtp">Not a URI, or no host (the text).</param>
/// <param name="BadScheme">Not smtp, smtps or submission (the scheme, the text).</param>
/// <param name="Password">A password in the user part (the host; never the password).</param>
/// <param name="PathOrQuery">A path or parameters other than <c>?tls=</c> (the text); null where they are passed over.</param>
public sealed record SmtpUriWording(
    Func<string, MailRecoveryException> NotSmtp,
    Func<string, string, MailRecoveryException> BadScheme,
    Func<string, MailRecoveryException> Password,
    Func<string, MailRecoveryException>? PathOrQuery)
{
    /// <summary>This place's words for <paramref name="problem"/>: its own where it has them, else the shared ones.</summary>
    public MailRecoveryException Refuse(MailUriProblem problem, string detail, string text) => problem switch
    {
        MailUriProblem.Empty or MailUriProblem.NotAUri or MailUriProblem.NoHost => NotSmtp(text),
        MailUriProblem.BadScheme => BadScheme(detail, text),
        MailUriProblem.Password => Password(detail),
        MailUriProblem.UnknownParameter when PathOrQuery is not null => PathOrQuery(text),
        _ => MailUriRefusals.Common(problem, detail, text, "SMTP URI", string.Empty),
    };

    private const string ReplayFix = "write it as smtp://host[:port] or smtps://host[:port], with user@ before the host to log in.";

    /// <summary>alias verify's <c>--smtp</c> and the configuration's <c>probe.smtp</c>.</summary>
    public static SmtpUriWording Submission { get; } = new(
        text => MailRecoveryException.Usage($"'{text}' is not an SMTP URI.", "write smtp://host[:port] (STARTTLS when offered) or smtps://host[:port]."),
        (scheme, text) => MailRecoveryException.Usage($"'{scheme}' in '{text}' is not an SMTP scheme.", "use smtp:// or smtps://."),
        host => MailRecoveryException.Usage($"the SMTP URI for {host} contains a password.", "remove it and pass --smtp-password-file FILE."),
        null);

    /// <summary>replay's <c>--to smtp[s]://…</c>.</summary>
    public static SmtpUriWording ReplayTarget { get; } = new(
        text => MailRecoveryException.Usage($"--to {text} is not an SMTP target.", ReplayFix),
        (_, text) => MailRecoveryException.Usage($"--to {text} is not an SMTP target.", ReplayFix),
        host => MailRecoveryException.Usage($"--to {host}: the URI contains a password.", "remove it from the URI and pass --password-file FILE (or the MAILRECOVERY_PASSWORD environment variable)."),
        text => MailRecoveryException.Usage($"--to {text}: an SMTP target has no path or parameters.", ReplayFix));
}
