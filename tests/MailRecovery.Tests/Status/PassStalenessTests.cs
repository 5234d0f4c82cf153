using MailRecovery.Core.Archive;
using MailRecovery.Core.Status;
using Microsoft.Extensions.Time.Testing;

namespace MailRecovery.Tests.Status;

/// <summary>The pure staleness logic of <c>status</c>: a stopped watch, a failing account, an overdue alias check.</summary>
public sealed class PassStalenessTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_pass_within_the_limit_needs_no_attention()
    {
        var accounts = new[] { Account("a", success: clock.GetUtcNow()) };
        clock.Advance(Limit);

        Assert.Empty(PassStaleness.Check(accounts, clock.GetUtcNow(), Limit));
    }

    [Fact]
    public void No_record_past_the_limit_is_watch_not_running_since_the_newest_record()
    {
        DateTimeOffset last = clock.GetUtcNow();
        var accounts = new[] { Account("a", success: last.AddMinutes(-1)), Account("b", success: last) };
        clock.Advance(Limit + TimeSpan.FromSeconds(1));

        StatusCondition c = Assert.Single(PassStaleness.Check(accounts, clock.GetUtcNow(), Limit));

        Assert.Equal("watch-not-running", c.Condition);
        Assert.Equal(last, c.Since);
        Assert.StartsWith("watch not running since 2026-12-01 08:00:00Z", c.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_account_is_flagged_since_its_first_error_after_the_last_success_with_the_latest_error()
    {
        DateTimeOffset success = clock.GetUtcNow();
        DateTimeOffset firstError = success.AddSeconds(30);
        clock.Advance(Limit + TimeSpan.FromMinutes(1));
        var accounts = new[]
        {
            Account("a", success: success, error: "login failed", errorAt: clock.GetUtcNow().AddSeconds(-5), failingSince: firstError),
            Account("b", success: clock.GetUtcNow()),
        };

        StatusCondition c = Assert.Single(PassStaleness.Check(accounts, clock.GetUtcNow(), Limit));

        Assert.Equal("account-failing", c.Condition);
        Assert.Equal(firstError, c.Since);
        Assert.Equal("account a failing since 2026-12-01 08:00:30Z: login failed", c.Reason);
    }

    [Fact]
    public void A_failure_younger_than_the_limit_after_a_recent_success_is_not_yet_flagged()
    {
        var accounts = new[] { Account("a", success: clock.GetUtcNow(), error: "server restarted", errorAt: clock.GetUtcNow().AddSeconds(10), failingSince: clock.GetUtcNow().AddSeconds(10)) };
        clock.Advance(Limit - TimeSpan.FromSeconds(1));

        Assert.Empty(PassStaleness.Check(accounts, clock.GetUtcNow(), Limit));
    }

    [Fact]
    public void An_account_that_never_passed_is_failing_since_its_first_error_without_a_failing_since_column_value()
    {
        DateTimeOffset error = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromMinutes(6));
        var accounts = new[] { Account("a", error: "no such host", errorAt: error), Account("b", success: clock.GetUtcNow()) };

        StatusCondition c = Assert.Single(PassStaleness.Check(accounts, clock.GetUtcNow(), Limit));

        Assert.Equal(("account-failing", (DateTimeOffset?)error), (c.Condition, c.Since));
    }

    [Fact]
    public void An_account_whose_loop_stopped_while_others_pass_is_stale()
    {
        DateTimeOffset old = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromMinutes(10));
        var accounts = new[] { Account("a", success: old), Account("b", success: clock.GetUtcNow()) };

        StatusCondition c = Assert.Single(PassStaleness.Check(accounts, clock.GetUtcNow(), Limit));

        Assert.Equal(("account-stale", (DateTimeOffset?)old), (c.Condition, c.Since));
    }

    [Fact]
    public void An_archive_without_any_pass_recorded_says_nothing_here()
    {
        Assert.Empty(PassStaleness.Check([Account("a")], clock.GetUtcNow(), Limit));
    }

    [Fact]
    public void An_alias_check_is_overdue_after_two_intervals_and_only_with_a_schedule()
    {
        DateTimeOffset at = clock.GetUtcNow();
        TimeSpan every = TimeSpan.FromMinutes(60);
        clock.Advance(2 * every);
        Assert.Null(PassStaleness.ProbeOverdue(at, clock.GetUtcNow(), every));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(PassStaleness.ProbeOverdue(at, clock.GetUtcNow(), null));
        StatusCondition? c = PassStaleness.ProbeOverdue(at, clock.GetUtcNow(), every);

        Assert.Equal(("probe-overdue", (DateTimeOffset?)at), (c?.Condition, c?.Since));
        Assert.Contains("alias check overdue", c!.Reason, StringComparison.Ordinal);
    }

    private static AccountStatistics Account(string name, DateTimeOffset? success = null, string? error = null, DateTimeOffset? errorAt = null, DateTimeOffset? failingSince = null, DateTimeOffset? archived = null) =>
        new(name, success, error, errorAt, archived?.AddDays(-3), archived is null ? 0 : 1, 0, failingSince, archived);

    [Fact]
    public void Messages_but_no_pass_ever_recorded_is_watch_not_running_since_the_newest_was_archived()
    {
        // watch killed during its first pass: its batches are in the index, its pass record was not committed yet.
        DateTimeOffset archived = clock.GetUtcNow();
        var accounts = new[] { Account("a", archived: archived.AddSeconds(-20)), Account("b", archived: archived) };

        clock.Advance(Limit);
        Assert.Empty(PassStaleness.Check(accounts, clock.GetUtcNow(), Limit)); // a first pass still archiving is not flagged
        clock.Advance(TimeSpan.FromSeconds(1));
        StatusCondition c = Assert.Single(PassStaleness.Check(accounts, clock.GetUtcNow(), Limit));

        Assert.Equal("watch-not-running", c.Condition);
        Assert.Equal(archived, c.Since); // the archive time, not the messages' received time (days older)
        Assert.StartsWith("watch not running since 2026-12-01 08:00:00Z: messages were archived until then but no pass was ever recorded", c.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_account_with_messages_but_no_pass_ever_recorded_while_others_pass_is_stale_since_its_newest_archived()
    {
        DateTimeOffset archived = clock.GetUtcNow();
        clock.Advance(Limit + TimeSpan.FromMinutes(1));
        var accounts = new[] { Account("a", archived: archived), Account("b", success: clock.GetUtcNow(), archived: archived) };

        StatusCondition c = Assert.Single(PassStaleness.Check(accounts, clock.GetUtcNow(), Limit));

        Assert.Equal("account-stale", c.Condition);
        Assert.Equal("a", c.Account);
        Assert.Equal(archived, c.Since);
        Assert.Contains("no pass ever recorded", c.Reason, StringComparison.Ordinal);
    }
}
