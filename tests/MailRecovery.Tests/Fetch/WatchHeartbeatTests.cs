using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;

namespace MailRecovery.Tests.Fetch;

/// <summary>The heartbeat line of <c>watch</c>: passes and failures per account since the last line.</summary>
public sealed class WatchHeartbeatTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_line_counts_passes_per_interval_and_names_a_failing_account_since_its_first_failure()
    {
        var heartbeat = new WatchHeartbeat();
        Assert.Equal("heartbeat: watch is running; no pass finished yet", heartbeat.TakeLine());

        heartbeat.Record("copy", T0, null);
        heartbeat.Record("copy", T0.AddSeconds(60), MailRecoveryException.Usage("copy: login failed.", "fix the password."));
        heartbeat.Record("copy", T0.AddSeconds(120), MailRecoveryException.Usage("copy: login refused.", "fix the password."));
        heartbeat.Record("other", T0.AddSeconds(5), null);

        Assert.Equal(
            "heartbeat: watch is running; copy: 3 pass(es), 2 failed, last success 2026-12-01 08:00:00Z, FAILING since 2026-12-01 08:01:00Z: copy: login refused.; other: 1 pass(es), 0 failed, last success 2026-12-01 08:00:05Z",
            heartbeat.TakeLine());

        heartbeat.Record("copy", T0.AddSeconds(180), null);
        Assert.Equal(
            "heartbeat: watch is running; copy: 1 pass(es), 0 failed, last success 2026-12-01 08:03:00Z; other: 0 pass(es), 0 failed, last success 2026-12-01 08:00:05Z",
            heartbeat.TakeLine());
    }
}
