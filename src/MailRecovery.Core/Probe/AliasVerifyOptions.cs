using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Probe;

/// <summary>Everything one alias verification needs.</summary>
/// <param name="From">The probe's sender (envelope and From:). Default: mailrecovery-probe@ the alias's domain.</param>
/// <param name="Timeout">How long to wait for the probe in each mailbox. Default 2 minutes.</param>
/// <param name="Cleanup">Delete the probe from the copy (and, over IMAP, the primary) once seen.</param>
public sealed record AliasVerifyOptions(
    SmtpEndpoint Smtp,
    SourceCredentials SmtpCredentials,
    string Alias,
    string? From,
    SourceEndpoint Copy,
    SourceCredentials CopyCredentials,
    SourceEndpoint? Primary,
    SourceCredentials? PrimaryCredentials,
    CertificateTrust Trust,
    TimeSpan Timeout,
    bool Cleanup)
{
    /// <summary>How often each mailbox is looked at while waiting.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
