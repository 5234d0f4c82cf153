using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MailRecovery.Core.Service;

/// <summary>
/// systemd's service notification protocol (sd_notify(3)): newline-separated "KEY=VALUE" assignments in one
/// datagram to the unix socket named by $NOTIFY_SOCKET. With <c>Type=notify</c> the unit counts as started only
/// after READY=1, and with <c>WatchdogSec=</c> it is killed and restarted when WATCHDOG=1 stops arriving.
/// About twenty lines of protocol: Microsoft.Extensions.Hosting.Systemd would bring the whole generic host for it.
/// Best effort by design: a lost notification must never stop the safety copy, so nothing here throws.
/// </summary>
public sealed class SystemdNotifier : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly UnixDomainSocketEndPoint endpoint;
    private readonly CancellationTokenSource stop = new();
    private Task watchdog = Task.CompletedTask;

    private SystemdNotifier(Socket socket, UnixDomainSocketEndPoint endpoint, TimeSpan? watchdogInterval)
    {
        this.socket = socket;
        this.endpoint = endpoint;
        WatchdogInterval = watchdogInterval;
    }

    /// <summary>systemd's WatchdogSec (from $WATCHDOG_USEC), or null when no watchdog is asked for.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>A notifier from this process's environment, or null when not started by systemd with Type=notify.</summary>
    public static SystemdNotifier? FromEnvironment() => Create(
        Environment.GetEnvironmentVariable("NOTIFY_SOCKET"),
        Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
        Environment.GetEnvironmentVariable("WATCHDOG_PID"),
        Environment.ProcessId);

    /// <summary>From the values of NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (null when unset).</summary>
    public static SystemdNotifier? Create(string? notifySocket, string? watchdogUsec, string? watchdogPid, int processId)
    {
        if (string.IsNullOrEmpty(notifySocket) || (notifySocket[0] != '/' && notifySocket[0] != '@'))
            return null; // sd_notify(3) accepts only a path or an abstract name ("@..."); anything else is not for us
        // An abstract socket name starts with a NUL byte; systemd writes it as "@".
        string path = notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
        TimeSpan? interval = null;
        // WATCHDOG_PID names the process the watchdog is meant for; a child that inherited it must not ping.
        bool forUs = watchdogPid is null || (int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid == processId);
        if (forUs && long.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out long usec) && usec > 0)
            interval = TimeSpan.FromMicroseconds(usec);
        try
        {
            return new SystemdNotifier(new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(path), interval);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Sends READY=1 with a status line, and starts pinging the watchdog at half its interval (as sd_watchdog_enabled(3) advises).</summary>
    public void Ready(string status, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Send($"READY=1\nSTATUS={status}");
        if (WatchdogInterval is TimeSpan interval)
            watchdog = PingAsync(interval / 2, clock, stop.Token);
    }

    /// <summary>Sends one notification, e.g. "STATUS=..." or "STOPPING=1"; false when it could not be sent.</summary>
    public bool Send(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            socket.SendTo(Encoding.UTF8.GetBytes(state), endpoint);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    // The ping proves the process and its thread pool are alive, not that passes succeed: a pass may take hours
    // on a first fetch. Passes that fail or stall are what `status` reports.
    private async Task PingAsync(TimeSpan period, TimeProvider clock, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
                Send("WATCHDOG=1");
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>Sends STOPPING=1 and ends the watchdog pings.</summary>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await watchdog.ConfigureAwait(false);
        Send("STOPPING=1");
        socket.Dispose();
        stop.Dispose();
    }
}
