using System.Globalization;
using System.Text.Json;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Replay;

namespace MailRecovery.Cli.Replay;

/// <summary>The final report of a replay, as text or JSON.</summary>
internal static class ReplayReportWriter
{
    public static void WriteText(TextWriter o, ReplayReport r)
    {
        foreach (string f in r.Failed)
            o.WriteLine($"  failed: {f}");
        foreach (string u in r.Uncertain)
            o.WriteLine($"  uncertain: {u}");
        foreach (string l in r.TryLater)
            o.WriteLine($"  try later: {l}");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay: selected {r.Selected}, delivered {r.Delivered} ({Units.Megabytes(r.DeliveredBytes)}), already present {r.AlreadyPresent}, skipped by journal {r.SkippedByJournal}, uncertain {r.Uncertain.Count}, failed {r.Failed.Count}, try later {r.TryLater.Count} in {r.Elapsed.TotalSeconds:0.0} s"));
    }

    public static object Json(ReplayPlan plan, ReplayReport? r, string target, bool dryRun, TimeSpan selectTime) => new
    {
        ok = r is null || r.ExitCode == 0,
        exitCode = r?.ExitCode ?? 0,
        dryRun,
        target,
        clock = plan.Window.Clock.ToString().ToLowerInvariant(),
        since = ReplayPlanWriter.Utc(plan.Window.Since),
        until = ReplayPlanWriter.Utc(plan.Window.Until),
        timeZone = plan.TimeZone.Id,
        selected = plan.Count,
        bytes = plan.TotalBytes,
        first = plan.First is null ? null : ReplayPlanWriter.Utc(plan.TimeOf(plan.First)),
        last = plan.Last is null ? null : ReplayPlanWriter.Utc(plan.TimeOf(plan.Last)),
        selectMilliseconds = Math.Round(selectTime.TotalMilliseconds, 1),
        perDay = plan.PerDay().Select(d => new { day = d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), count = d.Count }),
        delivered = r?.Delivered,
        alreadyPresent = r?.AlreadyPresent,
        skippedByJournal = r?.SkippedByJournal,
        uncertain = r?.Uncertain,
        failed = r?.Failed,
        tryLater = r?.TryLater,
        elapsedSeconds = r is null ? (double?)null : Math.Round(r.Elapsed.TotalSeconds, 3),
    };

    public static void WriteJson(TextWriter o, object json) => o.WriteLine(JsonSerializer.Serialize(json, JsonOutput.Options));
}
