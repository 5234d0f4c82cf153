using System.Globalization;
using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Probe;

/// <summary>Writes a probe's outcome (and what became of it in the helpdesk's account) to the archive index, where <c>status</c> shows it.</summary>
public static class ProbeRecorder
{
    public static void Record(ArchiveIndex index, ProbeReport report, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(report);
        index.RecordProbe(at, report.Alias, report.Verdict.ToString().ToLowerInvariant(), Summary(report));
        if (report.PrimaryCleanup is ProbeCleanupOutcome outcome)
            new ProbeCleanups(index).Record(at, report.Alias, report.Token, Name(outcome));
    }

    /// <summary>The outcome's name in the index and in JSON: <c>takenfirst</c>, <c>removed</c>, ….</summary>
    public static string Name(ProbeCleanupOutcome outcome) => outcome.ToString().ToLowerInvariant();

    public static string Summary(ProbeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Findings.Count > 0)
            return report.Findings[0].Problem;
        var parts = new[] { report.Copy, report.Primary }
            .Where(m => m?.Found == true)
            .Select(m => string.Create(CultureInfo.InvariantCulture, $"{m!.Role} in {m.Latency!.Value.TotalSeconds:0.0} s"));
        return "delivered: " + string.Join(", ", parts);
    }
}
