using System.Globalization;
using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Status;

/// <summary>
/// Is the safety net still up? Pure logic over what <c>watch</c> (and <c>fetch</c>) recorded per account, so that
/// a stopped <c>watch</c> or a copy account that no longer lets us in is flagged within a known time instead of
/// after a day of silence.
/// </summary>
public static class PassStaleness
{
    /// <summary>
    /// The conditions about passes. When no account recorded anything (success or error) within
    /// <paramref name="maxPassAge"/>, nothing runs at all: one <c>watch-not-running</c>, since the newest record.
    /// Otherwise each account without a success for that long is <c>account-failing</c> (since its first error
    /// after the last success, with the latest error as reason) or <c>account-stale</c> (its loop stopped while
    /// others run). An archive no pass was ever recorded for yields nothing here ("nothing archived yet" covers it).
    /// </summary>
    public static IEnumerable<StatusCondition> Check(IReadOnlyCollection<AccountStatistics> accounts, DateTimeOffset now, TimeSpan maxPassAge)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        DateTimeOffset? latest = accounts.SelectMany(a => new[] { a.LastSuccess, a.LastErrorAt }).Where(t => t is not null).DefaultIfEmpty(null).Max();
        if (latest is null)
            yield break;
        if (now - latest.Value > maxPassAge)
        {
            yield return new StatusCondition("watch-not-running", latest, Text(
                $"watch not running since {Utc(latest.Value)}: no pass recorded for {Minutes(now - latest.Value)} (limit {Minutes(maxPassAge)}); start it (e.g. systemctl start mailrecovery-watch) and read its log."));
            yield break;
        }

        foreach (AccountStatistics a in accounts)
        {
            bool failing = a.LastErrorAt is not null && (a.LastSuccess is null || a.LastErrorAt > a.LastSuccess);
            // An index from before failing_since_utc existed knows only the latest error: the run began no later.
            DateTimeOffset? failingSince = failing ? a.FailingSince ?? a.LastErrorAt : null;
            DateTimeOffset? lastGood = a.LastSuccess ?? failingSince;
            if (lastGood is null || now - lastGood.Value <= maxPassAge)
                continue;
            if (failingSince is not null)
            {
                yield return new StatusCondition("account-failing", failingSince, Text(
                    $"account {a.Account} failing since {Utc(failingSince.Value)}: {a.LastError}"), a.Account);
            }
            else
            {
                yield return new StatusCondition("account-stale", a.LastSuccess, Text(
                    $"account {a.Account}: no pass since {Utc(a.LastSuccess!.Value)} (limit {Minutes(maxPassAge)}), although other accounts pass: is it still in the configuration watch runs with?"), a.Account);
            }
        }
    }

    /// <summary>
    /// The scheduled alias check: none recorded for two intervals means the schedule stopped (watch down, or its
    /// probe loop stuck). A failed check is flagged by <see cref="StatusBuilder"/> whatever its age.
    /// </summary>
    public static StatusCondition? ProbeOverdue(DateTimeOffset? lastProbe, DateTimeOffset now, TimeSpan? interval)
    {
        if (interval is not TimeSpan every || lastProbe is not DateTimeOffset at || now - at <= 2 * every)
            return null;
        return new StatusCondition("probe-overdue", at, Text(
            $"alias check overdue: the last one was at {Utc(at)}, {Minutes(now - at)} ago (scheduled every {Minutes(every)}): is watch running with the probe configured?"));
    }

    internal static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Minutes(TimeSpan span) =>
        span < TimeSpan.FromMinutes(2) ? Text($"{span.TotalSeconds:0} s") : Text($"{span.TotalMinutes:0} min");

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
