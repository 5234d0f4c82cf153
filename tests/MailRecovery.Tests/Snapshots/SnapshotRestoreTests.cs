using System.Text;
using System.Text.Json;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Snapshots;

/// <summary>
/// snapshot create and restore on real trees owned by other users: restore puts owner, group, mode and mtime back
/// exactly and keeps the live tree aside, and refuses a snapshot that is truncated or has one byte changed, leaving
/// the live tree untouched and no staging directory behind.
/// </summary>
public sealed class SnapshotRestoreTests : IDisposable
{
    private readonly TempDirectory work = new();
    private readonly string data;
    private readonly string store;

    public SnapshotRestoreTests()
    {
        data = work.Sub("helpdesk");
        store = work.Sub("snapshots");
        TreeFixture.Build(data);
    }

    public void Dispose() => work.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restore_puts_owner_group_mode_mtime_and_content_back_exactly_and_keeps_the_live_tree_aside(bool compress)
    {
        SortedDictionary<string, string> before = TreeFixture.Facts(data);
        string id = await CreateAsync(compress ? ["--compress"] : []);

        // The incident: files lost, others rewritten, owners and modes spoilt.
        File.Delete(Path.Combine(data, "db", "tickets", "1.eml"));
        File.WriteAllText(Path.Combine(data, "db", "main.dat"), "half-written");
        File.WriteAllText(Path.Combine(data, "stray"), "new");
        TreeFixture.SpoilLikeACopyFromRemovableMedia(data);
        SortedDictionary<string, string> spoilt = TreeFixture.Facts(data);

        var restored = await TreeFixture.RunAsync("snapshot", "restore", id, "--store", store, "--data", data);

        Assert.True(restored.ExitCode == 0, restored.Out + restored.Error);
        Assert.Equal(before, TreeFixture.Facts(data));
        string aside = Assert.Single(Directory.GetDirectories(work.Path, "helpdesk.before-restore-*"));
        Assert.Equal(spoilt, TreeFixture.Facts(aside));
        Assert.Empty(Directory.GetDirectories(work.Path, ".helpdesk.restore-staging-*"));
        Assert.Contains($"mailrecovery replay --pulled-after snapshot:{id} --snapshot-store {store}", restored.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discard_current_removes_the_live_tree_and_dry_run_changes_nothing()
    {
        SortedDictionary<string, string> before = TreeFixture.Facts(data);
        string id = await CreateAsync([]);
        File.WriteAllText(Path.Combine(data, "stray"), "new");
        SortedDictionary<string, string> live = TreeFixture.Facts(data);

        var dry = await TreeFixture.RunAsync("snapshot", "restore", id, "--store", store, "--data", data, "--dry-run", "--json");
        Assert.True(dry.ExitCode == 0, dry.Out + dry.Error);
        JsonElement dir = JsonDocument.Parse(dry.Out).RootElement.GetProperty("directories")[0];
        Assert.Equal(6, dir.GetProperty("liveFiles").GetInt64());
        Assert.Equal(5, dir.GetProperty("snapshotFiles").GetInt64());
        Assert.StartsWith(data + ".before-restore-", dir.GetProperty("movedTo").GetString(), StringComparison.Ordinal);
        Assert.Equal(live, TreeFixture.Facts(data));
        Assert.Single(Directory.GetFileSystemEntries(work.Path, "helpdesk*"));

        var restored = await TreeFixture.RunAsync("snapshot", "restore", id, "--store", store, "--data", data, "--discard-current");
        Assert.True(restored.ExitCode == 0, restored.Out + restored.Error);
        Assert.Equal(before, TreeFixture.Facts(data));
        Assert.Equal([data], Directory.GetFileSystemEntries(work.Path).Where(p => p != store).ToArray());
    }

    [Fact]
    public async Task A_truncated_snapshot_is_refused_and_the_live_tree_is_untouched()
    {
        string id = await CreateAsync([]);
        string tar = Path.Combine(store, id, "data.tar");
        using (var f = new FileStream(tar, FileMode.Open))
            f.SetLength(f.Length / 2);
        await AssertRefusedAsync(id, "truncated");
    }

    [Fact]
    public async Task A_snapshot_with_one_byte_changed_is_refused_and_names_the_file()
    {
        string id = await CreateAsync([]);
        string tar = Path.Combine(store, id, "data.tar");
        byte[] bytes = File.ReadAllBytes(tar);
        int at = bytes.AsSpan().IndexOf("unique-content-0001"u8);
        Assert.True(at > 0);
        bytes[at] ^= 0x20;
        File.WriteAllBytes(tar, bytes);

        string error = await AssertRefusedAsync(id, "helpdesk/db/main.dat");

        Assert.Contains("SHA-256", error, StringComparison.Ordinal);
    }

    /// <summary>The new disk mounted on DIR itself: a rename cannot swap a mount point, so nothing is started.</summary>
    [Fact]
    public async Task A_mount_point_is_refused_before_anything_is_written()
    {
        string id = await CreateAsync([]);
        Directory.Delete(data, recursive: true);
        Directory.CreateDirectory(data);
        if (!await MountTmpfsAsync(data))
            return; // not allowed here (an unprivileged container): nothing to test with
        try
        {
            var restore = await TreeFixture.RunAsync("snapshot", "restore", id, "--store", store, "--data", data);

            Assert.Equal(2, restore.ExitCode);
            Assert.Contains("is a mount point", restore.Error, StringComparison.Ordinal);
            Assert.Equal([data], Directory.GetFileSystemEntries(work.Path).Where(p => p != store).ToArray());
        }
        finally
        {
            await TestBedFixture.RunAsync("umount", data);
        }
    }

    private static async Task<bool> MountTmpfsAsync(string at)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mount", $"-t tmpfs none {at}") { RedirectStandardError = true })!;
        await p.WaitForExitAsync();
        return p.ExitCode == 0;
    }

    private async Task<string> AssertRefusedAsync(string id, string expected)
    {
        File.WriteAllText(Path.Combine(data, "stray"), "the live data after the incident");
        SortedDictionary<string, string> live = TreeFixture.Facts(data);

        var verify = await TreeFixture.RunAsync("snapshot", "verify", id, "--store", store, "--json");
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains(expected, verify.Out, StringComparison.Ordinal);
        var restore = await TreeFixture.RunAsync("snapshot", "restore", id, "--store", store, "--data", data);

        Assert.Equal(1, restore.ExitCode);
        Assert.Contains(expected, restore.Error, StringComparison.Ordinal);
        Assert.Contains("the live data is untouched", restore.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", restore.Error, StringComparison.Ordinal);
        Assert.Equal(live, TreeFixture.Facts(data));
        Assert.Equal([data], Directory.GetFileSystemEntries(work.Path).Where(p => p != store).ToArray());
        return restore.Error;
    }

    private async Task<string> CreateAsync(string[] extra)
    {
        var created = await TreeFixture.RunAsync(["snapshot", "create", "--data", data, "--store", store, "--json", .. extra]);
        Assert.True(created.ExitCode == 0, created.Out + created.Error);
        return JsonDocument.Parse(created.Out).RootElement.GetProperty("id").GetString()!;
    }
}
