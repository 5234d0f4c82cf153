using System.Diagnostics;
using MailRecovery.Core.Service;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Service;

public sealed class SystemdNotifierTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Ready_then_watchdog_pings_then_stopping_reach_the_notify_socket()
    {
        using var listener = new NotifyListener(dir.Sub("notify"));
        SystemdNotifier notifier = SystemdNotifier.Create(listener.Path, "400000", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), Environment.ProcessId)!;
        Assert.Equal(TimeSpan.FromMilliseconds(400), notifier.WatchdogInterval);

        notifier.Ready("watching 1 account(s)", TimeProvider.System);
        Assert.Equal("READY=1\nSTATUS=watching 1 account(s)", await listener.ReceiveAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("WATCHDOG=1", await listener.ReceiveAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("WATCHDOG=1", await listener.ReceiveAsync(TimeSpan.FromSeconds(5)));
        await notifier.DisposeAsync();
        string last;
        while ((last = await listener.ReceiveAsync(TimeSpan.FromSeconds(5))) == "WATCHDOG=1")
        {
            // a ping sent just before the stop
        }

        Assert.Equal("STOPPING=1", last);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("relative/path")]
    public void Without_a_notify_socket_there_is_no_notifier(string? socket) =>
        Assert.Null(SystemdNotifier.Create(socket, "1000000", null, Environment.ProcessId));

    [Fact]
    public void A_watchdog_meant_for_another_process_is_not_pinged()
    {
        SystemdNotifier? notifier = SystemdNotifier.Create("@mailrecovery-test", "1000000", "1", Environment.ProcessId);
        Assert.NotNull(notifier);
        Assert.Null(notifier.WatchdogInterval);
    }

    [Fact]
    public async Task An_absent_listener_does_not_stop_anything()
    {
        await using SystemdNotifier notifier = SystemdNotifier.Create(dir.Sub("nobody"), null, null, Environment.ProcessId)!;
        Assert.False(notifier.Send("READY=1"));
    }
}
