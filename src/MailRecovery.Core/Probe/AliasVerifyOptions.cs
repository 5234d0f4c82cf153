using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Probe;

/// <summary>Everything one alias verification needs.</summary>
/// <param name="From">The probe's sender (envelope and From:). Default: mailrecovery-probe@ the alias's domain.</param>
/// <param name="Timeout">How long to wait for the probe in each mailbox. Default 2 minutes.</param>
/// <param name="Cleanup">Delete the probe from the copy once seen (and from the primary: see <see cref="CleanupPrimary"/>).</param>
public sealed record AliasVerifyOptions(
    SmtpEndpoint Smtp,
    Protocols.Credential SmtpCredentials,
    string Alias,
    string? From,
    SourceEndpoint Copy,
    Protocols.Credential CopyCredentials,
    SourceEndpoint? Primary,
    Protocols.Credential? PrimaryCredentials,
    CertificateTrust Trust,
    TimeSpan Timeout,
    bool Cleanup)
{
    /// <summary>How often each mailbox is looked at while waiting.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Remove the probe from the primary (the helpdesk's account) the moment it is seen there, before the helpdesk
    /// turns it into a ticket. The primary is otherwise only read, so this is its own opt-in: <c>alias verify
    /// --cleanup</c>, <c>probe.cleanupPrimary</c> for scheduled probes.
    /// </summary>
    public bool CleanupPrimary { get; init; }

    /// <summary>The certificates trusted for the primary; null: <see cref="Trust"/>.</summary>
    public CertificateTrust? PrimaryTrust { get; init; }

    /// <summary>Test seam: runs after the probe is seen in the primary and before it is removed (a helpdesk faster than cleanup).</summary>
    internal Func<CancellationToken, Task>? BeforePrimaryCleanup { get; init; }
}
