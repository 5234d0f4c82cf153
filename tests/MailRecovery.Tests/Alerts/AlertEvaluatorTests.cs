using MailRecovery.Core.Alerts;
using MailRecovery.Core.Status;

namespace MailRecovery.Tests.Alerts;

/// <summary>The pure part: what is due given what a notifier was told.</summary>
public sealed class AlertEvaluatorTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);
    private static readonly StatusCondition Failing = new("account-failing", T0.AddMinutes(-10), "account a failing since ...: wrong password", "imap://a@h:993");

    private static IReadOnlyList<Alert> Evaluate(List<AlertedCondition> told, DateTimeOffset now, params StatusCondition[] current) =>
        AlertEvaluator.Evaluate(told, current, now, Day, "host", "/archive");

    [Fact]
    public void A_condition_is_started_once_reminded_after_the_interval_and_cleared_once()
    {
        var told = new List<AlertedCondition>();
        Alert started = Assert.Single(Evaluate(told, T0, Failing));
        Assert.Equal(AlertEvent.Started, started.Event);
        Assert.Equal("imap://a@h:993", started.Account);
        AlertEvaluator.Apply(told, started);

        Assert.Empty(Evaluate(told, T0.AddMinutes(1), Failing));
        Assert.Empty(Evaluate(told, T0 + Day - TimeSpan.FromSeconds(1), Failing));
        Alert reminder = Assert.Single(Evaluate(told, T0 + Day, Failing));
        Assert.Equal(AlertEvent.Reminder, reminder.Event);
        Assert.Equal(Failing.Since, reminder.Since);
        AlertEvaluator.Apply(told, reminder);
        Assert.Empty(Evaluate(told, T0 + Day + TimeSpan.FromHours(1), Failing));

        Alert cleared = Assert.Single(Evaluate(told, T0 + Day + TimeSpan.FromHours(2)));
        Assert.Equal(AlertEvent.Cleared, cleared.Event);
        Assert.Equal(Failing.Reason, cleared.Reason);
        AlertEvaluator.Apply(told, cleared);
        Assert.Empty(told);
        Assert.Empty(Evaluate(told, T0 + Day + TimeSpan.FromHours(3)));
    }

    [Fact]
    public void An_undelivered_alert_stays_due_and_one_that_never_reached_anyone_does_not_clear()
    {
        var told = new List<AlertedCondition>();
        Assert.Single(Evaluate(told, T0, Failing)); // not applied: the receiver was down
        Assert.Equal(AlertEvent.Started, Assert.Single(Evaluate(told, T0.AddMinutes(5), Failing)).Event);
        Assert.Empty(Evaluate(told, T0.AddMinutes(10))); // it ended before anyone was told: nothing to clear
    }

    [Fact]
    public void The_same_condition_of_two_accounts_is_two_conditions_and_low_days_are_not_alerted()
    {
        var other = Failing with { Account = "imap://b@h:993" };
        var low = new StatusCondition("low-day", T0.AddDays(-3), "2025-02-26: 1 messages, usual 40–50: was the copy arriving?");
        IReadOnlyList<Alert> alerts = Evaluate([], T0, Failing, other, low, Failing);
        Assert.Equal(["imap://a@h:993", "imap://b@h:993"], alerts.Select(a => a.Account));
    }
}
