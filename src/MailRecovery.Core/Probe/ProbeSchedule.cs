namespace MailRecovery.Core.Probe;

/// <summary>A probe that <c>watch</c> sends on its own, every <see cref="Interval"/> (off unless configured).</summary>
public sealed record ProbeSchedule(AliasVerifyOptions Options, TimeSpan Interval);
