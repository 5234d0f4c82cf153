using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Replay;

/// <summary>
/// Turns a target URI into its adapter: <c>imap[s]://user@host[:port]/Mailbox</c>, <c>smtp[s]://host[:port]</c>,
/// <c>lmtp://host:port</c> or <c>lmtp:/socket</c>, <c>maildir:/path</c>, <c>mbox:/file</c>, <c>eml:/dir</c>,
/// <c>emlzip:/file.zip</c>, <c>pipe:COMMAND</c>. The one place that knows every target.
/// </summary>
public static class ReplayTargetFactory
{
    public static IReplayTarget Create(string text, ReplayTargetOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        string scheme = text.Split(':', 2)[0].ToLowerInvariant();
        Protocols.Credential credentials = options.Credential ?? new SourceCredentials(options.PasswordFile, options.PasswordFile is null ? options.PasswordEnvironmentVariable : null);
        CertificateTrust trust = CertificateTrust.FromFile(options.CaFile);
        if (options.CheckIn is not null)
            return WithCheckIn(scheme, text, options, credentials, trust, clock);
        switch (scheme)
        {
            case "imap" or "imaps":
                SourceEndpoint endpoint = SourceUri.Parse(text, options.Insecure);
                return new ImapAppendTarget(endpoint, credentials, trust, options.MarkSeen);
            default:
                return CreateOther(scheme, text, options, credentials, trust, clock)
                    ?? throw MailRecoveryException.Usage($"--to {text}: unknown target.",
                        "use imap[s]://user@host/Mailbox, smtp[s]://host:port, lmtp://host:port or lmtp:/socket, maildir:/path, mbox:/file, eml:/dir, emlzip:/file.zip or pipe:COMMAND.");
        }
    }

    /// <summary>An SMTP or LMTP target that looks in <see cref="ReplayTargetOptions.CheckIn"/> (see <see cref="ImapCheckInTarget"/>).</summary>
    private static ImapCheckInTarget WithCheckIn(string scheme, string text, ReplayTargetOptions options, Protocols.Credential credentials, CertificateTrust trust, TimeProvider clock)
    {
        if (scheme is not ("smtp" or "smtps" or "lmtp"))
            throw MailRecoveryException.Usage($"--check-in is for SMTP and LMTP targets; {text} looks for itself or cannot be looked into.", "leave --check-in out for this target.");
        SourceEndpoint checkIn = SourceUri.Parse(options.CheckIn!, options.Insecure);
        if (!checkIn.Capabilities.CanSearch)
            throw MailRecoveryException.Usage($"--check-in {options.CheckIn} is not an IMAP mailbox.", "give the mailbox the target delivers to, e.g. --check-in imaps://helpdesk@mail.example.com/INBOX.");
        Protocols.Credential checkInCredentials = options.CheckInCredential ?? new SourceCredentials(options.CheckInPasswordFile, options.CheckInPasswordFile is null ? options.CheckInPasswordEnvironmentVariable : null);
        return new ImapCheckInTarget(CreateOther(scheme, text, options, credentials, trust, clock)!, checkIn, checkInCredentials, trust);
    }

    private static IReplayTarget? CreateOther(string scheme, string text, ReplayTargetOptions options, Protocols.Credential credentials, CertificateTrust trust, TimeProvider clock) =>
        scheme switch
        {
            "smtp" or "smtps" => new SmtpTarget(text, options.Rcpts, options.MailFrom, options.ResentHeaders, credentials, trust, options.Insecure, clock, connections: Protocols.ProviderConnectionCaps.ClampLanes(text, options.Connections).Lanes),
            "lmtp" => new LmtpTarget(text, options.Rcpts, options.MailFrom, options.ResentHeaders, clock),
            _ => ReplayTargetUri.TryCreateFileTarget(text, clock),
        };
}
