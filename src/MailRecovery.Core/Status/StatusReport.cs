using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Status;

/// <summary>The health of an archive: per account, the volume per day, the last probe, and warnings.</summary>
/// <param name="UsualLow">The lower quartile of complete days' volume (the "usual" range starts here).</param>
/// <param name="UsualHigh">The upper quartile.</param>
/// <param name="Warnings">The reasons of <paramref name="Conditions"/>, one line each.</param>
/// <param name="Conditions">What needs attention, each with a stable name and since when (see <see cref="StatusCondition"/>).</param>
/// <param name="Primaries">The observed helpdesk accounts (the primary ledger of <c>watch --primary</c>); empty when none.</param>
/// <param name="ProbeCleanups">What became of the probes in the helpdesk's account over the chart's days; null when none was watched there.</param>
public sealed record StatusReport(
    DateTimeOffset Now,
    long Messages,
    long Bytes,
    IReadOnlyList<AccountStatistics> Accounts,
    IReadOnlyList<DayVolume> Days,
    int UsualLow,
    int UsualHigh,
    (DateTimeOffset At, string Alias, string Verdict, string Summary)? LastProbe,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<PrimaryState>? Primaries = null,
    IReadOnlyList<StatusCondition>? Conditions = null,
    ProbeCleanupTally? ProbeCleanups = null)
{
    /// <summary>0 when nothing needs attention, 1 when a warning is shown (for monitoring).</summary>
    public int ExitCode => Warnings.Count == 0 ? 0 : 1;
}
