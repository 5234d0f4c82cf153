using System.Text.Json;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Snapshots;

/// <summary>
/// snapshot check: the vendor's "every file must have its owner and permissions back" step for a restore made by
/// other means; --fix is its chown/chmod.
/// </summary>
public sealed class SnapshotCheckTests : IDisposable
{
    private readonly TempDirectory work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task Check_fix_repairs_a_tree_copied_from_removable_media()
    {
        string data = work.Sub("helpdesk"), store = work.Sub("snapshots");
        TreeFixture.Build(data);
        SortedDictionary<string, string> before = TreeFixture.Facts(data);
        var created = await TreeFixture.RunAsync("snapshot", "create", "--data", data, "--store", store, "--json");
        string id = JsonDocument.Parse(created.Out).RootElement.GetProperty("id").GetString()!;
        var clean = await TreeFixture.RunAsync("snapshot", "check", id, "--store", store, "--data", data, "--content");
        Assert.True(clean.ExitCode == 0, clean.Out + clean.Error);

        TreeFixture.SpoilLikeACopyFromRemovableMedia(data);
        var check = await TreeFixture.RunAsync("snapshot", "check", id, "--store", store, "--data", data, "--json");
        Assert.Equal(1, check.ExitCode);
        JsonElement found = JsonDocument.Parse(check.Out).RootElement.GetProperty("found");
        Assert.Contains(found.EnumerateArray(), f => f.GetProperty("kind").GetString() == "owner" && f.GetProperty("path").GetString() == "helpdesk/spool/queue" && f.GetProperty("expected").GetString() == "65534 (nobody)");
        Assert.Contains(found.EnumerateArray(), f => f.GetProperty("kind").GetString() == "mode" && f.GetProperty("path").GetString() == "helpdesk/db/tickets" && f.GetProperty("actual").GetString() == "0777");
        Assert.NotEqual(before, TreeFixture.Facts(data));

        var fix = await TreeFixture.RunAsync("snapshot", "check", id, "--store", store, "--data", data, "--fix");

        Assert.True(fix.ExitCode == 0, fix.Out + fix.Error);
        Assert.Contains("fixed: mode: helpdesk/db/tickets: expected 02750, found 0777", fix.Out, StringComparison.Ordinal);
        Assert.Equal(before, TreeFixture.Facts(data));
    }

    [Fact]
    public async Task Missing_and_extra_files_are_reported_and_left_alone_by_fix()
    {
        string data = work.Sub("helpdesk"), store = work.Sub("snapshots");
        TreeFixture.Build(data);
        var created = await TreeFixture.RunAsync("snapshot", "create", "--data", data, "--store", store, "--json");
        string id = JsonDocument.Parse(created.Out).RootElement.GetProperty("id").GetString()!;
        File.Delete(Path.Combine(data, "settings.conf"));
        File.WriteAllText(Path.Combine(data, "stray"), "x");

        var fix = await TreeFixture.RunAsync("snapshot", "check", id, "--store", store, "--data", data, "--fix");

        Assert.Equal(1, fix.ExitCode);
        Assert.Contains("missing: helpdesk/settings.conf", fix.Out, StringComparison.Ordinal);
        Assert.Contains("extra: helpdesk/stray", fix.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data, "stray")));
    }
}
