using MailRecovery.Core.Archive;
using MailRecovery.Core.Probe;

namespace MailRecovery.Core.Status;

/// <summary>
/// What became of the alias probes in the helpdesk's account since <see cref="Since"/> (the chart's first day):
/// <see cref="TakenFirst"/> is the number to tune by. Each one the helpdesk took before cleanup could may have
/// become a ticket; many of them mean the helpdesk pulls faster than cleanup sees the probe, so probe less often
/// or add a filter rule on the probe header (docs/probes.md).
/// </summary>
public sealed record ProbeCleanupTally(DateTimeOffset Since, int Removed, int MarkedDeleted, int TakenFirst, int NeverSeen, int Left, int Failed)
{
    public int Total => Removed + MarkedDeleted + TakenFirst + NeverSeen + Left + Failed;

    /// <summary>The tally from the index; null when no probe was sent with the helpdesk's account watched since then.</summary>
    public static ProbeCleanupTally? Read(ArchiveIndex index, DateTimeOffset since)
    {
        Dictionary<string, int> c = new ProbeCleanups(index).CountSince(since);
        if (c.Count == 0)
            return null;
        int N(ProbeCleanupOutcome o) => c.GetValueOrDefault(ProbeRecorder.Name(o));
        return new ProbeCleanupTally(since, N(ProbeCleanupOutcome.Removed), N(ProbeCleanupOutcome.MarkedDeleted), N(ProbeCleanupOutcome.TakenFirst),
            N(ProbeCleanupOutcome.NeverSeen), N(ProbeCleanupOutcome.Left), N(ProbeCleanupOutcome.Failed));
    }
}
