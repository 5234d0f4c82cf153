namespace MailRecovery.Core.Probe;

/// <summary>A probe that <c>watch</c> sends on its own, every <see cref="Interval"/> (off unless configured).</summary>
public sealed record ProbeSchedule(AliasVerifyOptions Options, TimeSpan Interval)
{
    /// <summary>
    /// The copy account's own <c>primary</c> (the helpdesk account <c>watch</c> observes), used when the probe section
    /// names no <c>primary</c>: the account watched for the probe, and cleaned with <c>probe.cleanupPrimary</c>.
    /// </summary>
    public Primary.PrimarySpec? ObservedPrimary { get; init; }

    /// <summary>What each scheduled probe runs with: <see cref="Options"/>, with <see cref="ObservedPrimary"/> filled in.</summary>
    public AliasVerifyOptions Effective => Options.Primary is null && ObservedPrimary is { } p
        ? Options with { Primary = p.Endpoint, PrimaryCredentials = p.Credentials, PrimaryTrust = p.Trust }
        : Options;
}
