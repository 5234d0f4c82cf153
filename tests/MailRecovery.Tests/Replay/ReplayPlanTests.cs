using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;

namespace MailRecovery.Tests.Replay;

/// <summary>The summary a dry run shows: size, first and last, and the per-day histogram in the user's zone.</summary>
public sealed class ReplayPlanTests
{
    private static readonly DateTimeOffset Since = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Until = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_empty_plan_has_no_size_no_first_no_last_and_no_days()
    {
        var plan = Plan(ReplayClock.Received, TimeZoneInfo.Utc);

        Assert.Equal(0, plan.TotalBytes);
        Assert.Null(plan.First);
        Assert.Null(plan.Last);
        Assert.Empty(plan.PerDay());
    }

    [Fact]
    public void Total_bytes_add_up_past_four_gigabytes_and_first_and_last_are_the_ends_of_the_list()
    {
        ArchivedMessage a = Message("a", At(25, 10), size: 3_000_000_000);
        ArchivedMessage b = Message("b", At(25, 11), size: 2_000_000_000);
        ArchivedMessage c = Message("c", At(26, 9), size: 17);

        var plan = Plan(ReplayClock.Received, TimeZoneInfo.Utc, a, b, c);

        Assert.Equal(5_000_000_017L, plan.TotalBytes);
        Assert.Same(a, plan.First);
        Assert.Same(c, plan.Last);
    }

    [Fact]
    public void Days_are_counted_in_the_plans_zone()
    {
        ArchivedMessage[] messages =
        [
            Message("a", new DateTimeOffset(2026, 11, 25, 14, 59, 59, TimeSpan.Zero)), // Tokyo 11-25 23:59:59
            Message("b", new DateTimeOffset(2026, 11, 25, 15, 0, 0, TimeSpan.Zero)), // Tokyo 11-26 00:00
            Message("c", new DateTimeOffset(2026, 11, 25, 23, 30, 0, TimeSpan.Zero)), // Tokyo 11-26 08:30
            Message("d", new DateTimeOffset(2026, 11, 27, 4, 0, 0, TimeSpan.Zero)), // Tokyo 11-27 13:00, New York 11-26 23:00
        ];

        Assert.Equal([(Day(25), 3), (Day(27), 1)], Plan(ReplayClock.Received, TimeZoneInfo.Utc, messages).PerDay());
        Assert.Equal([(Day(25), 1), (Day(26), 2), (Day(27), 1)], Plan(ReplayClock.Received, Zone("Asia/Tokyo"), messages).PerDay());
        Assert.Equal([(Day(25), 3), (Day(26), 1)], Plan(ReplayClock.Received, Zone("America/New_York"), messages).PerDay());
    }

    [Fact]
    public void Days_are_in_calendar_order_even_when_the_messages_are_not()
    {
        // Ordered by receipt, but counted by Date: header, which disagrees.
        ArchivedMessage[] messages =
        [
            Message("a", At(25, 10), date: At(27, 10)),
            Message("b", At(25, 11), date: At(26, 10)),
            Message("c", At(26, 12), date: At(27, 11)),
        ];

        Assert.Equal([(Day(26), 1), (Day(27), 2)], Plan(ReplayClock.Date, TimeZoneInfo.Utc, messages).PerDay());
    }

    [Fact]
    public void The_time_of_a_message_is_read_on_the_windows_clock()
    {
        ArchivedMessage dated = Message("a", At(26, 10), date: At(25, 8), archived: At(27, 6));
        ArchivedMessage undated = Message("b", At(26, 11), archived: At(27, 7));

        Assert.Equal(At(26, 10), Plan(ReplayClock.Received, TimeZoneInfo.Utc).TimeOf(dated));
        Assert.Equal(At(25, 8), Plan(ReplayClock.Date, TimeZoneInfo.Utc).TimeOf(dated));
        Assert.Equal(At(27, 6), Plan(ReplayClock.Archived, TimeZoneInfo.Utc).TimeOf(dated));
        Assert.Equal(At(26, 11), Plan(ReplayClock.Date, TimeZoneInfo.Utc).TimeOf(undated)); // no Date: header: the receipt time
        Assert.Equal([(Day(27), 2)], Plan(ReplayClock.Archived, TimeZoneInfo.Utc, dated, undated).PerDay());
    }

    private static ReplayPlan Plan(ReplayClock clock, TimeZoneInfo zone, params ArchivedMessage[] messages) =>
        new(new ReplayWindow(Since, Until, clock), zone, messages);

    private static DateTimeOffset At(int day, int hour) => new(2026, 11, day, hour, 0, 0, TimeSpan.Zero);

    private static DateOnly Day(int day) => new(2026, 11, day);

    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);

    private static ArchivedMessage Message(string file, DateTimeOffset received, long size = 100, DateTimeOffset? date = null, DateTimeOffset? archived = null) =>
        new(file, new string('0', 64), size, archived ?? received.AddMinutes(1), new MessageMetadata(
            $"{file}@example.org", received, ReceivedTimeSource.ReceivedHeader, date, "sender@example.org",
            "support@example.test", null, null, null, "support@example.test", "subject " + file, false));
}
