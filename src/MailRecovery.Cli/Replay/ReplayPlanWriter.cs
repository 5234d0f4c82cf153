using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;

namespace MailRecovery.Cli.Replay;

/// <summary>The summary shown by --dry-run and before the confirmation question.</summary>
internal static class ReplayPlanWriter
{
    public static void WriteText(TextWriter o, ReplayPlan plan, string target)
    {
        ReplayWindow w = plan.Window;
        if (plan.PulledAfter is PulledAfterSelection pulled)
            PulledAfterWriter.WriteText(o, pulled, plan.TimeZone);
        else
            WriteWindow(o, plan, w);
        o.WriteLine($"Target:   {target}");
        if (plan.DeliverAs is string deliverAs)
            o.WriteLine($"Delivered-To: rewritten to {deliverAs} (the copy account's Delivered-To/X-Original-To on top of each message)");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Messages: {plan.Count} ({Units.Megabytes(plan.TotalBytes)}), oldest first"));
        if (plan.First is ArchivedMessage first && plan.Last is ArchivedMessage last)
        {
            o.WriteLine($"First:    {Local(plan.TimeOf(first), plan.TimeZone)}  {Summary(first)}");
            o.WriteLine($"Last:     {Local(plan.TimeOf(last), plan.TimeZone)}  {Summary(last)}");
            var days = plan.PerDay();
            int max = days.Max(d => d.Count);
            o.WriteLine($"Per day ({plan.TimeZone.Id}):");
            foreach (var (day, count) in days)
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {day:yyyy-MM-dd}  {new string('#', Math.Max(1, count * 40 / max)),-40} {count}"));
        }
    }

    private static void WriteWindow(TextWriter o, ReplayPlan plan, ReplayWindow w)
    {
        string clock = w.Clock switch
        {
            ReplayClock.Date => "the Date: header (the sender's clock)",
            ReplayClock.Archived => "the time MailRecovery archived each message",
            _ => "the server receipt time (newest Received: header, else INTERNALDATE, else fetch time)",
        };
        o.WriteLine($"Clock:    {clock}");
        o.WriteLine($"Window:   [{Utc(w.Since)}, {Utc(w.Until)}) UTC");
        o.WriteLine($"          [{Local(w.Since, plan.TimeZone)}, {Local(w.Until, plan.TimeZone)}) {plan.TimeZone.Id}  (start included, end excluded)");
        if (w.StartSetBy is not null)
            o.WriteLine($"Start:    {Utc(w.Since)}, the newest file of the backup: {w.StartSetBy}");
    }

    private static string Summary(ArchivedMessage m) =>
        $"{m.Metadata.From ?? "(no From)"}  \"{Truncate(m.Metadata.Subject ?? "(no subject)", 60)}\"";

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    internal static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static string Local(DateTimeOffset t, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
}
