using MailRecovery.Core.Status;

namespace MailRecovery.Core.Alerts;

/// <summary>
/// Compares what holds now with what one notifier was told: a condition not told yet is <c>started</c>, one told
/// longer than the reminder interval ago is a <c>reminder</c>, one told and no longer holding is <c>cleared</c>.
/// Pure logic: nothing is marked as told here, only by <see cref="Apply"/> once the notifier delivered, so an alert
/// a receiver did not take is made again at the next evaluation.
/// </summary>
public static class AlertEvaluator
{
    /// <summary>
    /// Conditions that are never alerted on. <c>low-day</c> is history, not a state: a past day stays "low" for the
    /// whole chart window and never "clears" in any useful sense; <c>status</c> shows it, and <c>quiet</c> alerts
    /// on a copy that stops arriving.
    /// </summary>
    public static readonly IReadOnlySet<string> NotAlerted = new HashSet<string>(StringComparer.Ordinal) { "low-day" };

    public static string Key(string condition, string? account) => account is null ? condition : $"{condition} {account}";

    /// <summary>The alerts due, started and reminders in the order of <paramref name="current"/>, then the cleared ones.</summary>
    /// <param name="reminder">A held condition is alerted again once this long has passed since its last alert (inclusive).</param>
    public static IReadOnlyList<Alert> Evaluate(IReadOnlyCollection<AlertedCondition> told, IEnumerable<StatusCondition> current, DateTimeOffset now, TimeSpan reminder, string host, string archive)
    {
        ArgumentNullException.ThrowIfNull(told);
        ArgumentNullException.ThrowIfNull(current);
        Dictionary<string, AlertedCondition> byKey = told.GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var holding = new HashSet<string>(StringComparer.Ordinal);
        var alerts = new List<Alert>();
        foreach (StatusCondition c in current.Where(c => !NotAlerted.Contains(c.Condition)))
        {
            string key = Key(c.Condition, c.Account);
            if (!holding.Add(key))
                continue;
            if (!byKey.TryGetValue(key, out AlertedCondition? t))
                alerts.Add(new Alert(AlertEvent.Started, c.Condition, c.Account, c.Since, c.Reason, ConditionFixes.For(c.Condition), host, archive, now));
            else if (now - t.LastSent >= reminder)
                alerts.Add(new Alert(AlertEvent.Reminder, c.Condition, c.Account, t.Since ?? c.Since, c.Reason, ConditionFixes.For(c.Condition), host, archive, now));
        }

        foreach (AlertedCondition t in byKey.Values.Where(t => !holding.Contains(t.Key)))
            alerts.Add(new Alert(AlertEvent.Cleared, t.Condition, t.Account, t.Since, t.Reason, ConditionFixes.For(t.Condition), host, archive, now));
        return alerts;
    }

    /// <summary>Records in <paramref name="told"/> that <paramref name="alert"/> was delivered.</summary>
    public static void Apply(List<AlertedCondition> told, Alert alert)
    {
        ArgumentNullException.ThrowIfNull(told);
        ArgumentNullException.ThrowIfNull(alert);
        string key = Key(alert.Condition, alert.Account);
        int i = told.FindIndex(t => t.Key == key);
        switch (alert.Event)
        {
            case AlertEvent.Cleared:
                if (i >= 0)
                    told.RemoveAt(i);
                break;
            case AlertEvent.Started or AlertEvent.Reminder when i < 0:
                told.Add(new AlertedCondition(alert.Condition, alert.Account, alert.Since, alert.Reason, alert.At, alert.At));
                break;
            default:
                AlertedCondition before = told[i];
                told[i] = before with { Reason = alert.Reason, LastSent = alert.At };
                break;
        }
    }
}
