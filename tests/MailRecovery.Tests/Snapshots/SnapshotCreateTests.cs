using System.Diagnostics;
using System.Text.Json;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Snapshots;

/// <summary>
/// snapshot create beside a writer: a background process appends to a file in the data directory; --before
/// stops it (SIGSTOP), --after lets it go on (SIGCONT), also when the copy fails. A file that changes during the
/// copy is reported, and with --before it fails the snapshot (maintenance mode did not hold).
/// </summary>
public sealed class SnapshotCreateTests : IDisposable
{
    private readonly TempDirectory work = new();
    private readonly string data;
    private readonly string store;
    private readonly string log;

    public SnapshotCreateTests()
    {
        data = work.Sub("helpdesk");
        store = work.Sub("snapshots");
        TreeFixture.Build(data);
        log = Path.Combine(data, "spool", "writer.log");

        // Large enough that reading it takes longer than the writer's next append.
        File.WriteAllText(log, new string('w', 32 << 20));
    }

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task A_writer_stopped_by_before_and_resumed_by_after_gives_a_consistent_snapshot()
    {
        using Process writer = StartWriter();
        try
        {
            string marker = work.Sub("after-ran");
            var created = await TreeFixture.RunAsync("snapshot", "create", "--data", data, "--store", store, "--json",
                "--before", $"sh -c 'kill -STOP {writer.Id}; sleep 0.3'", "--after", $"sh -c 'kill -CONT {writer.Id}; touch {marker}'");

            Assert.True(created.ExitCode == 0, created.Out + created.Error);
            JsonElement json = JsonDocument.Parse(created.Out).RootElement;
            Assert.Empty(json.GetProperty("warnings").EnumerateArray());
            Assert.True(File.Exists(marker));
            long size = new FileInfo(log).Length;
            await Task.Delay(300);
            Assert.True(new FileInfo(log).Length > size, "the writer runs again after --after");
        }
        finally
        {
            writer.Kill();
        }
    }

    [Fact]
    public async Task Without_before_a_file_changing_during_the_copy_is_reported_as_a_warning()
    {
        using Process writer = StartWriter();
        try
        {
            var created = await TreeFixture.RunAsync("snapshot", "create", "--data", data, "--store", store, "--json");

            Assert.True(created.ExitCode == 0, created.Out + created.Error);
            JsonElement warnings = JsonDocument.Parse(created.Out).RootElement.GetProperty("warnings");
            Assert.Contains(warnings.EnumerateArray(), w => w.GetString()!.Contains("changed during the copy: helpdesk/spool/writer.log", StringComparison.Ordinal));
        }
        finally
        {
            writer.Kill();
        }
    }

    [Fact]
    public async Task With_a_before_that_does_not_stop_the_writer_the_snapshot_fails_and_after_still_runs()
    {
        using Process writer = StartWriter();
        try
        {
            string marker = work.Sub("after-ran");
            var created = await TreeFixture.RunAsync("snapshot", "create", "--data", data, "--store", store, "--before", "true", "--after", $"touch {marker}");

            Assert.Equal(1, created.ExitCode);
            Assert.Contains("maintenance mode did not hold", created.Error, StringComparison.Ordinal);
            Assert.True(File.Exists(marker));
            Assert.Empty(Directory.GetFileSystemEntries(store));
        }
        finally
        {
            writer.Kill();
        }
    }

    [Fact]
    public async Task A_failing_before_makes_no_snapshot_and_after_still_resumes_the_writer()
    {
        using Process writer = StartWriter();
        try
        {
            var created = await TreeFixture.RunAsync("snapshot", "create", "--data", data, "--store", store,
                "--before", $"sh -c 'kill -STOP {writer.Id}; echo maintenance mode failed; exit 3'", "--after", $"kill -CONT {writer.Id}");

            Assert.Equal(1, created.ExitCode);
            Assert.Contains("--before exited with 3", created.Error, StringComparison.Ordinal);
            Assert.Contains("--before: maintenance mode failed", created.Error, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(store));
            long size = new FileInfo(log).Length;
            await Task.Delay(300);
            Assert.True(new FileInfo(log).Length > size, "--after resumed the writer");
        }
        finally
        {
            writer.Kill();
        }
    }

    [Fact]
    public async Task Sigterm_during_the_snapshot_still_runs_after()
    {
        string marker = work.Sub("after-ran");
        using Process p = CliRunner.Start(null, "snapshot", "create", "--data", data, "--store", store, "--before", "sleep 30", "--after", $"touch {marker}");
        await Task.Delay(1500);
        using (Process kill = Process.Start("kill", $"-TERM {p.Id}"))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await p.WaitForExitAsync(timeout.Token);

        Assert.NotEqual(0, p.ExitCode);
        Assert.True(File.Exists(marker), await p.StandardError.ReadToEndAsync());
        Assert.Empty(Directory.GetDirectories(store));
    }

    /// <summary>sh appending a line to the log as fast as it can.</summary>
    private Process StartWriter()
    {
        var psi = new ProcessStartInfo("sh") { RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"while :; do echo appended >> '{log}'; done");
        return Process.Start(psi)!;
    }
}
