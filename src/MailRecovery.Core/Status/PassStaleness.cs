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
    /// <para>
    /// A pass's record rides the group commit after its last batch, so a watch killed during its first pass (or
    /// between its last batch and that commit) leaves messages and no record. An account with messages and no record
    /// at all counts from when its newest message was archived: that is when watch last did something for it.
    /// </para>
    /// </summary>
    public static IEnumerable<StatusCondition> Check(IReadOnlyCollection<AccountStatistics> accounts, DateTimeOffset now, TimeSpan maxPassAge)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        DateTimeOffset? latest = accounts.SelectMany(a => new[] { a.LastSuccess, a.LastErrorAt, Unrecorded(a) }).Where(t => t is not null).DefaultIfEmpty(null).Max();
        if (latest is null)
            yield break;
        if (now - latest.Value > maxPassAge)
        {
            bool anyRecord = accounts.Any(a => a.LastSuccess is not null || a.LastErrorAt is not null);
            yield return new StatusCondition("watch-not-running", latest, anyRecord
                ? Text($"watch not running since {Utc(latest.Value)}: no pass recorded for {Minutes(now - latest.Value)} (limit {Minutes(maxPassAge)}); start it (e.g. systemctl start mailrecovery-watch) and read its log.")
                : Text($"watch not running since {Utc(latest.Value)}: messages were archived until then but no pass was ever recorded (stopped during its first pass?), {Minutes(now - latest.Value)} ago (limit {Minutes(maxPassAge)}); start it (e.g. systemctl start mailrecovery-watch) and read its log."));
            yield break;
        }

        bool anyPassed = accounts.Any(a => a.LastSuccess is not null);
        foreach (AccountStatistics a in accounts)
        {
            bool failing = a.LastErrorAt is not null && (a.LastSuccess is null || a.LastErrorAt > a.LastSuccess);
            // An index from before failing_since_utc existed knows only the latest error: the run began no later.
            DateTimeOffset? failingSince = failing ? a.FailingSince ?? a.LastErrorAt : null;
            // An account never recorded is judged only beside others that pass: while none has, a slow first pass
            // of one is not singled out (the whole watch is judged above).
            DateTimeOffset? lastGood = a.LastSuccess ?? failingSince ?? (anyPassed ? Unrecorded(a) : null);
            if (lastGood is null || now - lastGood.Value <= maxPassAge)
                continue;
            if (a.LastSuccess is null && failingSince is null)
            {
                yield return new StatusCondition("account-stale", lastGood, Text(
                    $"account {a.Account}: no pass ever recorded, its newest message archived at {Utc(lastGood.Value)} (limit {Minutes(maxPassAge)}), although other accounts pass: did its first pass stop?"), a.Account);
            }
            else if (failingSince is not null)
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

    /// <summary>When an account with messages but no pass on record last had a message archived; null otherwise.</summary>
    private static DateTimeOffset? Unrecorded(AccountStatistics a) =>
        a.LastSuccess is null && a.LastErrorAt is null ? a.LastArchived : null;

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
