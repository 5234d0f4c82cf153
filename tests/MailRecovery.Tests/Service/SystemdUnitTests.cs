using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Service;

/// <summary>
/// The unit files in contrib/systemd/ as systemd reads them. `systemd-analyze verify` checks that every
/// directive exists and every command is executable; /usr/bin/mailrecovery exists only once the package is
/// installed (run-tests.sh checks that too), so here it is pointed at a stub. Without systemd-analyze (no
/// systemd on the machine) there is nothing to check with.
/// </summary>
public sealed class SystemdUnitTests : IDisposable
{
    private const string Analyze = "/usr/bin/systemd-analyze";
    private static readonly string Units = Path.Combine(TestBedFixture.RepoRoot, "contrib", "systemd");
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Every_unit_passes_systemd_analyze_verify_without_a_warning()
    {
        if (!File.Exists(Analyze))
            return;
        string[] units = CopyUnits();
        Assert.Equal(7, units.Length); // watch, verify, alert, snapshot (service + timer each but watch)
        (int code, string output) = await RunAsync($"verify --man=no {string.Join(' ', units)}");
        Assert.True(code == 0 && output.Length == 0, $"exit {code}: {output}");
    }

    [Fact]
    public async Task The_watch_unit_is_hardened()
    {
        if (!File.Exists(Analyze))
            return;
        CopyUnits();
        // systemd's own exposure score, 0 (locked down) to 100 (unprotected); the shipped unit scores 17.
        (int code, string output) = await RunAsync($"security --offline=yes --no-pager --threshold=20 {dir.Sub("mailrecovery-watch.service")}");
        Assert.True(code == 0, $"exit {code}: {output}");
    }

    [Fact]
    public void The_watch_unit_runs_as_its_own_user_with_only_the_archive_writable_and_does_not_restart_on_exit_2()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Units, "mailrecovery-watch.service"));
        foreach (string expected in new[]
        {
            "Type=notify", "User=mailrecovery", "ProtectSystem=strict", "ReadWritePaths=/var/lib/mailrecovery",
            "StateDirectory=mailrecovery", "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectHome=yes",
            "CapabilityBoundingSet=", "RestartPreventExitStatus=2", "ExecStart=/usr/bin/mailrecovery watch --config /etc/mailrecovery/config.json",
        })
            Assert.Contains(expected, lines);
        Assert.Contains(lines, l => l.StartsWith("WatchdogSec=", StringComparison.Ordinal));
    }

    [Fact]
    public void The_alert_unit_runs_status_alert_counts_exit_1_as_success_and_its_timer_runs_it_every_five_minutes()
    {
        string[] service = File.ReadAllLines(Path.Combine(Units, "mailrecovery-alert.service"));
        foreach (string expected in new[]
        {
            "Type=oneshot", "User=mailrecovery", "ProtectSystem=strict", "ReadWritePaths=/var/lib/mailrecovery", "NoNewPrivileges=yes",
            "SuccessExitStatus=1", "ExecStart=/usr/bin/mailrecovery status --config /etc/mailrecovery/config.json --alert",
        })
            Assert.Contains(expected, service);
        string[] timer = File.ReadAllLines(Path.Combine(Units, "mailrecovery-alert.timer"));
        Assert.Contains("OnUnitActiveSec=5min", timer);
        Assert.Contains("WantedBy=timers.target", timer);
    }

    /// <summary>Copies the units into the temp directory with ExecStart pointing at an executable stub.</summary>
    private string[] CopyUnits()
    {
        string stub = dir.Sub("mailrecovery");
        File.WriteAllText(stub, "#!/bin/sh\n");
        File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var copies = new List<string>();
        foreach (string unit in Directory.GetFiles(Units).Where(f => f.EndsWith(".service", StringComparison.Ordinal) || f.EndsWith(".timer", StringComparison.Ordinal)))
        {
            string copy = dir.Sub(Path.GetFileName(unit));
            File.WriteAllText(copy, File.ReadAllText(unit).Replace("/usr/bin/mailrecovery", stub, StringComparison.Ordinal));
            copies.Add(copy);
        }

        return [.. copies.Order(StringComparer.Ordinal)];
    }

    private static async Task<(int Code, string Output)> RunAsync(string arguments)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Analyze, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using System.Diagnostics.Process p = System.Diagnostics.Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, (await stderr) + (await stdout).Trim());
    }
}
