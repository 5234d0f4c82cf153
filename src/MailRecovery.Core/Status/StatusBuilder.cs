using System.Globalization;
using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Status;

/// <summary>
/// Builds the <c>status</c> report from the index. A day is flagged as low when it has less than half the
/// lower quartile of the complete days shown (today is partial and never flagged), and the quartile is at
/// least <see cref="MinimumUsual"/>: a mailbox that gets two messages a day has no meaningful "gap". Whether
/// watch still runs and each account still passes is <see cref="PassStaleness"/>'s.
/// </summary>
public static class StatusBuilder
{
    public const int MinimumUsual = 4;

    public static StatusReport Build(ArchiveIndex index, StatusOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(options);
        DateTimeOffset now = clock.GetUtcNow();
        DateOnly today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, options.TimeZone).DateTime);
        DateOnly first = today.AddDays(1 - options.Days);
        DateTimeOffset since = Start(first, options.TimeZone);

        var counts = new Dictionary<DateOnly, int>();
        foreach (DateTimeOffset t in index.ReceivedSince(since))
        {
            DateOnly day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, options.TimeZone).DateTime);
            counts[day] = counts.GetValueOrDefault(day) + 1;
        }

        var complete = Enumerable.Range(0, options.Days - 1).Select(i => counts.GetValueOrDefault(first.AddDays(i))).Order().ToList();
        int low = Quartile(complete, 0.25), high = Quartile(complete, 0.75);
        var days = Enumerable.Range(0, options.Days)
            .Select(i => first.AddDays(i))
            .Select(d => new DayVolume(d, counts.GetValueOrDefault(d), d != today && low >= MinimumUsual && counts.GetValueOrDefault(d) * 2 < low))
            .ToList();

        var conditions = new List<StatusCondition>();
        foreach (DayVolume d in days.Where(d => d.Low))
            conditions.Add(new("low-day", Start(d.Day, options.TimeZone), string.Create(CultureInfo.InvariantCulture, $"{d.Day:yyyy-MM-dd}: {d.Count} messages, usual {low}–{high}: was the copy arriving?")));

        List<AccountStatistics> accounts = index.AccountStatistics();
        conditions.AddRange(PassStaleness.Check(accounts, now, options.MaxPassAge));
        DateTimeOffset? newest = accounts.Select(a => a.LastReceived).Where(t => t is not null).DefaultIfEmpty(null).Max();
        if (newest is null)
            conditions.Add(new("nothing-archived", null, "nothing has been archived yet."));
        else if (now - newest.Value > options.QuietPeriod)
            conditions.Add(new("quiet", newest, string.Create(CultureInfo.InvariantCulture, $"nothing has been archived for {(now - newest.Value).TotalHours:0} hours (quiet period {options.QuietPeriod.TotalHours:0} h): is the copy account still receiving mail, and is watch running?")));

        var probe = index.LastProbe();
        if (probe is { Verdict: not "works" } p)
            conditions.Add(new("probe-failed", p.At, $"the last alias check ({p.At:yyyy-MM-dd HH:mm}Z, {p.Alias}) said {p.Verdict}: {p.Summary}", p.Alias));
        else if (PassStaleness.ProbeOverdue(probe?.At, now, options.ProbeInterval) is StatusCondition overdue)
            conditions.Add(overdue);

        List<PrimaryState> primaries = new PrimaryLedger(index).States();
        conditions.AddRange(PrimaryWarnings(primaries, now, options.MaxWaiting));

        (long messages, long bytes) = index.Totals();
        return new StatusReport(now, messages, bytes, accounts, days, low, high, probe, [.. conditions.Select(c => c.Reason)], primaries, conditions, ProbeCleanupTally.Read(index, since));
    }

    /// <summary>
    /// A helpdesk that stopped pulling: mail waiting longer than <paramref name="maxWaiting"/> at the last look. And
    /// a ledger that stopped: no look for that long either (watch not running, or the primary unreachable), in
    /// which case replay --pulled-after would take what waited at the last look as still waiting.
    /// </summary>
    internal static IEnumerable<StatusCondition> PrimaryWarnings(IEnumerable<PrimaryState> primaries, DateTimeOffset now, TimeSpan maxWaiting)
    {
        foreach (PrimaryState p in primaries)
        {
            if (p.OldestWaitingSince is DateTimeOffset since && p.LastLook - since > maxWaiting)
                yield return new("helpdesk-not-pulling", since, string.Create(CultureInfo.InvariantCulture, $"{p.Primary}: the helpdesk has not taken mail for {(p.LastLook - since).TotalMinutes:0} minutes ({p.Waiting} waiting, the oldest since {since:yyyy-MM-dd HH:mm}Z; limit {maxWaiting.TotalMinutes:0} min): is the helpdesk still pulling its account?"), p.Primary);
            if (now - p.LastLook > maxWaiting)
                yield return new("helpdesk-not-observed", p.LastLook, string.Create(CultureInfo.InvariantCulture, $"{p.Primary}: the helpdesk's account was last looked at {(now - p.LastLook).TotalMinutes:0} minutes ago: is watch --primary running, and can it reach the account?"), p.Primary);
        }
    }

    private static DateTimeOffset Start(DateOnly day, TimeZoneInfo zone)
    {
        DateTime local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static int Quartile(List<int> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[(int)Math.Floor(q * (sorted.Count - 1))];
}
