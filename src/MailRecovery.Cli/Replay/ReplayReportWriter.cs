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
        if (r.MarkedUnread > 0)
            o.WriteLine($"  marked unread: {r.MarkedUnread} (copies the helpdesk had taken, offered again instead of a second copy)");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay: selected {r.Selected}, delivered {r.Delivered} ({Units.Megabytes(r.DeliveredBytes)}), already present {r.AlreadyPresent}, skipped by journal {r.SkippedByJournal}, uncertain {r.Uncertain.Count}, failed {r.Failed.Count}, try later {r.TryLater.Count} in {r.Elapsed.TotalSeconds:0.0} s"));
    }

    public static ReplayJson Json(ReplayPlan plan, ReplayReport? r, string target, bool dryRun, TimeSpan selectTime) => new(
        Ok: r is null || r.ExitCode == 0,
        ExitCode: r?.ExitCode ?? 0,
        DryRun: dryRun,
        Target: target,
        Clock: plan.Window.Clock.ToString().ToLowerInvariant(),
        Since: ReplayPlanWriter.Utc(plan.Window.Since),
        Until: ReplayPlanWriter.Utc(plan.Window.Until),
        TimeZone: plan.TimeZone.Id,
        Selected: plan.Count,
        Bytes: plan.TotalBytes,
        First: plan.First is null ? null : ReplayPlanWriter.Utc(plan.TimeOf(plan.First)),
        Last: plan.Last is null ? null : ReplayPlanWriter.Utc(plan.TimeOf(plan.Last)),
        SelectMilliseconds: Math.Round(selectTime.TotalMilliseconds, 1),
        PerDay: [.. plan.PerDay().Select(d => new ReplayJson.ReplayDayJson(d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), d.Count))],
        Delivered: r?.Delivered,
        AlreadyPresent: r?.AlreadyPresent,
        MarkedUnread: r?.MarkedUnread,
        SkippedByJournal: r?.SkippedByJournal,
        Uncertain: r?.Uncertain,
        Failed: r?.Failed,
        TryLater: r?.TryLater,
        ElapsedSeconds: r is null ? null : Math.Round(r.Elapsed.TotalSeconds, 3),
        Error: ErrorJson.Detail.Of(r?.StoppedBy),
        StartSetBy: plan.Window.StartSetBy,
        PulledAfter: plan.PulledAfter is { } p
            ? new ReplayJson.PulledAfterJson(ReplayPlanWriter.Utc(p.PulledAfter), ReplayPlanWriter.Utc(p.FirstLook), ReplayPlanWriter.Utc(p.LastLook), p.TakenAfter, p.TakenAround, p.AroundIncluded, p.NotLookedYet, p.Waiting, p.Unobserved)
            : null,
        DeliverAs: plan.DeliverAs);

    public static void WriteJson(TextWriter o, ReplayJson json) => o.WriteLine(JsonOutput.Serialize(json));
}
