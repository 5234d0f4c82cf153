using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay;

/// <summary>
/// A full target disk stops a replay the way a full archive disk stops a fetch: at once, exit 75, one message
/// naming the target's disk, and the JSON report of what was done. A real full tmpfs as the target.
/// </summary>
public sealed class TargetDiskFullTests
{
    public static TheoryData<string> Targets() => ["maildir", "eml", "mbox", "emlzip"];

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task A_full_target_disk_stops_the_replay_at_once_with_exit_75_and_a_report(string kind)
    {
        using var archiveDir = new TempDirectory();
        await FillArchiveAsync(archiveDir.Path, 30);
        await using SmallDisk disk = await SmallDisk.MountAsync();
        string to = kind switch
        {
            "maildir" => "maildir:" + disk.Sub("md"),
            "eml" => "eml:" + disk.Sub("eml"),
            "emlzip" => "emlzip:" + disk.Sub("mail.zip"),
            _ => "mbox:" + disk.Sub("box.mbox"),
        };

        // The target exists (a first run made it), and then the disk fills up.
        var first = await CliRunner.RunAsync("replay", "--archive", archiveDir.Path, "--since", "2020-01-01T00:00Z", "--to", to, "--message-id", "m0@example.org", "--yes");
        Assert.True(first.ExitCode == 0, first.Error + first.Out);
        await disk.FillAsync();
        var watch = Stopwatch.StartNew();

        var full = await CliRunner.RunAsync("replay", "--archive", archiveDir.Path, "--since", "2020-01-01T00:00Z", "--to", to, "--yes", "--json");

        Assert.True(full.ExitCode == ExitCodes.TemporaryFailure, full.Error + full.Out);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}: messages were retried instead of stopping");
        Assert.Contains("target's disk is full", full.Error, StringComparison.Ordinal);
        Assert.Single(full.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        using JsonDocument json = JsonDocument.Parse(full.Out);
        Assert.Equal(ExitCodes.TemporaryFailure, json.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Equal("LocalStorage", json.RootElement.GetProperty("error").GetProperty("kind").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("delivered").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("tryLater").GetArrayLength());

        // Space again: the same command finishes the job, and the message delivered before is not sent twice.
        File.Delete(disk.Sub("filler"));
        var resumed = await CliRunner.RunAsync("replay", "--archive", archiveDir.Path, "--since", "2020-01-01T00:00Z", "--to", to, "--yes", "--json");
        Assert.True(resumed.ExitCode == 0, resumed.Error + resumed.Out);
        using JsonDocument done = JsonDocument.Parse(resumed.Out);
        Assert.Equal(29, done.RootElement.GetProperty("delivered").GetInt32());
    }

    [Fact]
    public async Task A_journal_on_a_full_disk_says_so_and_speaks_of_no_server()
    {
        await using SmallDisk disk = await SmallDisk.MountAsync();
        string root = disk.Sub("archive");
        await FillArchiveAsync(root, 3);
        await disk.FillAsync();
        using var target = new TempDirectory();

        var run = await CliRunner.RunAsync("replay", "--archive", root, "--since", "2020-01-01T00:00Z", "--to", "eml:" + target.Sub("eml"), "--yes");

        Assert.Equal(ExitCodes.TemporaryFailure, run.ExitCode);
        Assert.Contains("replay journal", run.Error, StringComparison.Ordinal);
        Assert.Contains("disk is full", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("server", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SIGTERM_still_prints_the_json_report_of_what_was_done()
    {
        using var dir = new TempDirectory();
        await FillArchiveAsync(dir.Sub("archive"), 40);
        using Process replay = CliRunner.Start(null, "replay", "--archive", dir.Sub("archive"), "--since", "2020-01-01T00:00Z", "--to", "eml:" + dir.Sub("eml"), "--rate", "10/s", "--yes", "--json");
        Task<string> stdout = replay.StandardOutput.ReadToEndAsync();
        Task<string> stderr = replay.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        while ((!Directory.Exists(dir.Sub("eml")) || Directory.GetFiles(dir.Sub("eml"), "*.eml").Length < 3) && deadline.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(50);
        await TestBedFixture.RunAsync("kill", $"-TERM {replay.Id}");
        await replay.WaitForExitAsync();

        Assert.True(replay.ExitCode == ExitCodes.TemporaryFailure, await stderr);
        using JsonDocument json = JsonDocument.Parse(await stdout);
        int delivered = json.RootElement.GetProperty("delivered").GetInt32();
        Assert.InRange(delivered, 3, 39);
        Assert.Equal(delivered, Directory.GetFiles(dir.Sub("eml"), "*.eml").Length);
        Assert.Contains("interrupted", json.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    internal static async Task FillArchiveAsync(string root, int count)
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(root, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        ArchiveBatch batch = archive.BeginBatch();
        for (int n = 0; n < count; n++)
        {
            byte[] bytes = TestMessages.Simple(n, $"m{n}@example.org", body: new string('x', 4000) + "\r\n");
            StagedMessage staged = await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None);
            batch.Add(staged, "imap://copy@mail.example.test:993", "INBOX", 1, n.ToString(CultureInfo.InvariantCulture));
        }

        batch.Commit();
    }
}
