using System.Text.Json;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Primary;
using MailRecovery.Core.Snapshots;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Snapshots;

/// <summary>
/// The whole story on the real bed, as docs/snapshots.md tells it: mail arrives through the alias, MailRecovery
/// archives the copy and watches the helpdesk's account; the helpdesk pulls its mail into its data directory
/// (owned by its own user); a nightly snapshot is taken; more mail is pulled; the disk dies; <c>snapshot
/// restore</c> puts the directory back with its owner; <c>replay --pulled-after snapshot:ID</c> brings back exactly
/// what was pulled after the snapshot, once; a second replay brings nothing.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class SnapshotIncidentTests(TestBedFixture bed)
{
    [Fact]
    public async Task Nightly_snapshot_then_restore_then_replay_pulled_after_snapshot_brings_back_exactly_the_later_mail_once()
    {
        string tag = TestBedFixture.NewUser("sn");
        string primary = $"helpdesk-{tag}", copy = $"safety-{tag}";
        using var work = new TempDirectory();
        string data = work.Sub("helpdesk-data"), snapshots = work.Sub("snapshots"), archive = work.Sub("archive");
        Directory.CreateDirectory(data);
        var helpdesk = new Pop3Helpdesk(bed, primary, data);
        var spec = new PrimarySpec(bed.Pop3s(primary), bed.Credentials, bed.Trust);
        string copyUri = $"imaps://{copy}@127.0.0.1:{bed.ImapsPort}";
        string copyKey = SourceUri.Parse(copyUri, false).AccountKey;
        Task Fetch() => FetchAsync(archive, copyUri);
        Task Look() => LookAsync(archive, spec, copyKey);

        // Before the snapshot: arrived, archived, pulled by the helpdesk, whose files belong to its own user.
        await SendAsync(tag, "A-before-snapshot", 2);
        await Fetch();
        await Look();
        Assert.Equal(2, await helpdesk.PullAsync("A-"));
        await Look();
        ChownTree(data);

        await Task.Delay(1100);
        var created = await CliRunner.RunAsync("snapshot", "create", "--data", data, "--store", snapshots, "--json");
        Assert.True(created.ExitCode == 0, created.Out + created.Error);
        string id = JsonDocument.Parse(created.Out).RootElement.GetProperty("id").GetString()!;
        await Task.Delay(1100);

        // After it: more mail, archived and pulled; then the disk dies and a new, empty one is mounted.
        await SendAsync(tag, "B-after-snapshot", 3);
        await Fetch();
        await Look();
        Assert.Equal(3, await helpdesk.PullAsync("B-"));
        await Look();
        Directory.Delete(data, recursive: true);
        Directory.CreateDirectory(data);

        var restored = await CliRunner.RunAsync("snapshot", "restore", id, "--store", snapshots, "--data", data);
        Assert.True(restored.ExitCode == 0, restored.Out + restored.Error);
        Assert.Equal(["A-before-snapshot 0", "A-before-snapshot 1"], helpdesk.StoredSubjects());
        Assert.All(Directory.GetFileSystemEntries(data).Append(data), p => Assert.Equal(TreeFixture.Uid, UnixFiles.Lstat(p)!.Uid));
        Assert.Contains($"--pulled-after snapshot:{id} --snapshot-store {snapshots}", restored.Out, StringComparison.Ordinal);

        string[] replay = ["replay", "--archive", archive, "--pulled-after", $"snapshot:{id}", "--snapshot-store", snapshots,
            "--to", $"imaps://{primary}@127.0.0.1:{bed.ImapsPort}/INBOX", "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile];
        var dry = await CliRunner.RunAsync([.. replay, "--dry-run", "--json"]);
        Assert.True(dry.ExitCode == 0, dry.Out + dry.Error);
        Assert.Equal(3, JsonDocument.Parse(dry.Out).RootElement.GetProperty("selected").GetInt32());
        var replayed = await CliRunner.RunAsync([.. replay, "--yes"]);
        Assert.True(replayed.ExitCode == 0, replayed.Out + replayed.Error);
        Assert.Contains("delivered 3", replayed.Out, StringComparison.Ordinal);

        // watch goes on looking; a second replay (the store named inline this time) delivers nothing.
        await Look();
        var again = await CliRunner.RunAsync("replay", "--archive", archive, "--pulled-after", $"snapshot:{Path.Combine(snapshots, id)}",
            "--to", $"imaps://{primary}@127.0.0.1:{bed.ImapsPort}/INBOX", "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--yes");
        Assert.True(again.ExitCode == 0, again.Out + again.Error);
        Assert.Contains("delivered 0", again.Out, StringComparison.Ordinal);

        await helpdesk.PullAsync();
        Assert.Equal(
            ["A-before-snapshot 0", "A-before-snapshot 1", "B-after-snapshot 0", "B-after-snapshot 1", "B-after-snapshot 2"],
            helpdesk.StoredSubjects());
        Assert.Equal(5, helpdesk.StoredMessageIds().Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Snapshot_time_without_a_store_is_a_usage_error_that_says_where_to_give_it()
    {
        using var work = new TempDirectory();
        var result = await CliRunner.RunAsync("replay", "--archive", work.Sub("archive"), "--pulled-after", "snapshot:20261129T020000.000Z-abcd", "--to", $"maildir:{work.Sub("t")}", "--dry-run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--snapshot-store", result.Error, StringComparison.Ordinal);
        Assert.Contains("snapshots", result.Error, StringComparison.Ordinal);
    }

    private static void ChownTree(string root)
    {
        foreach (string p in Directory.GetFileSystemEntries(root).Append(root))
            UnixFiles.Lchown(p, TreeFixture.Uid, TreeFixture.Gid);
    }

    private async Task FetchAsync(string archive, string copyUri)
    {
        var result = await CliRunner.RunAsync("fetch", "--archive", archive, "--source", copyUri, "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile);
        Assert.True(result.ExitCode == 0, result.Out + result.Error);
    }

    /// <summary>One look as watch makes it after a pass.</summary>
    private static async Task LookAsync(string archive, PrimarySpec spec, string copyKey)
    {
        using MessageArchive a = await MessageArchive.OpenAsync(archive, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        using var gate = new SemaphoreSlim(1, 1);
        await new PrimaryLookRun(a.Index, PrimaryLookRun.DefaultObserver, TimeProvider.System, gate).LookAsync(copyKey, spec, CancellationToken.None);
    }

    /// <summary>Sends through the alias and waits for both copies.</summary>
    private async Task SendAsync(string tag, string subject, int count)
    {
        int copies = bed.CountMessages($"safety-{tag}"), primaries = bed.CountMessages($"helpdesk-{tag}");
        for (int i = 0; i < count; i++)
            await bed.SendAsync($"support-{tag}@example.test", $"{subject} {i}");
        await bed.WaitForMessagesAsync($"safety-{tag}", copies + count);
        await bed.WaitForMessagesAsync($"helpdesk-{tag}", primaries + count);
    }
}
