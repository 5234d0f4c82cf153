using System.Text.Json;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Snapshots;

/// <summary>The scripting contract of list, verify and create --json, and --keep.</summary>
public sealed class SnapshotListTests : IDisposable
{
    private readonly TempDirectory work = new();
    private readonly string data;
    private readonly string store;

    public SnapshotListTests()
    {
        data = work.Sub("helpdesk");
        store = work.Sub("snapshots");
        TreeFixture.Build(data);
    }

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task Create_json_gives_id_and_startedUtc_and_list_and_verify_report_it()
    {
        DateTimeOffset before = DateTimeOffset.UtcNow;
        var created = await TreeFixture.RunAsync("snapshot", "create", "--data", data, "--store", store, "--json");
        JsonElement c = JsonDocument.Parse(created.Out).RootElement;
        string id = c.GetProperty("id").GetString()!;
        DateTimeOffset started = c.GetProperty("startedUtc").GetDateTimeOffset();
        Assert.InRange(started, before, DateTimeOffset.UtcNow);
        Assert.Matches(@"^[0-9]{8}T[0-9]{6}\.[0-9]{3}Z-[0-9a-f]{4}$", id);

        var list = await TreeFixture.RunAsync("snapshot", "list", "--store", store, "--json");
        JsonElement item = JsonDocument.Parse(list.Out).RootElement.GetProperty("snapshots")[0];
        Assert.Equal(id, item.GetProperty("id").GetString());
        Assert.Equal("complete", item.GetProperty("state").GetString());
        Assert.Equal(started, item.GetProperty("startedUtc").GetDateTimeOffset());
        Assert.Equal(5, item.GetProperty("files").GetInt64());
        Assert.Equal([data], item.GetProperty("directories").EnumerateArray().Select(d => d.GetString()!).ToArray());

        var text = await TreeFixture.RunAsync("snapshot", "list", "--store", store);
        Assert.Contains($"{id}  {started.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}", text.Out, StringComparison.Ordinal);
        var verify = await TreeFixture.RunAsync("snapshot", "verify", id, "--store", store, "--json");
        Assert.True(verify.ExitCode == 0, verify.Out + verify.Error);
        Assert.True(JsonDocument.Parse(verify.Out).RootElement.GetProperty("ok").GetBoolean());

        // A manifest that no longer matches its data file's size shows as damaged without reading the data.
        File.AppendAllText(Path.Combine(store, id, "data.tar"), "x");
        var damaged = await TreeFixture.RunAsync("snapshot", "list", "--store", store, "--json");
        Assert.Equal("damaged", JsonDocument.Parse(damaged.Out).RootElement.GetProperty("snapshots")[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task Keep_removes_older_snapshots_only_after_the_new_one_is_complete()
    {
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var created = await TreeFixture.RunAsync("snapshot", "create", "--data", data, "--store", store, "--keep", "2", "--json", "--compress");
            Assert.True(created.ExitCode == 0, created.Out + created.Error);
            ids.Add(JsonDocument.Parse(created.Out).RootElement.GetProperty("id").GetString()!);
        }

        // A create that fails removes nothing, whatever --keep says.
        var failed = await TreeFixture.RunAsync("snapshot", "create", "--data", data, "--store", store, "--keep", "1", "--before", "false");
        Assert.Equal(1, failed.ExitCode);

        var list = await TreeFixture.RunAsync("snapshot", "list", "--store", store, "--json");
        string[] kept = JsonDocument.Parse(list.Out).RootElement.GetProperty("snapshots").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(ids.Skip(1).ToArray(), kept);
    }

    [Theory]
    [InlineData("verify", "../etc")]
    [InlineData("verify", "20200101T000000.000Z-abcd")]
    public async Task An_unknown_or_malformed_id_is_a_usage_error(string verb, string id)
    {
        Directory.CreateDirectory(store);
        var result = await TreeFixture.RunAsync("snapshot", verb, id, "--store", store);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("snapshot list", result.Error, StringComparison.Ordinal);
    }

    /// <summary>The configuration's snapshots.store (relative to the file) serves snapshot:ID in any replay time, here --since.</summary>
    [Fact]
    public async Task Replay_reads_snapshot_times_from_the_store_the_configuration_names()
    {
        var created = await TreeFixture.RunAsync("snapshot", "create", "--data", data, "--store", store, "--json");
        JsonElement c = JsonDocument.Parse(created.Out).RootElement;
        string config = work.Sub("config.json");
        File.WriteAllText(config, """
            { "archive": "archive", "snapshots": { "store": "snapshots" },
              "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P" } ] }
            """);
        using (await Core.Archive.MessageArchive.OpenAsync(work.Sub("archive"), Core.Archive.ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None))
        {
        }

        var dry = await TreeFixture.RunAsync("replay", "--config", config, "--since", $"snapshot:{c.GetProperty("id").GetString()}", "--to", $"maildir:{work.Sub("t")}", "--dry-run", "--json");

        Assert.True(dry.ExitCode == 0, dry.Out + dry.Error);
        DateTimeOffset started = c.GetProperty("startedUtc").GetDateTimeOffset();
        Assert.Equal(started.AddTicks(-(started.Ticks % TimeSpan.TicksPerSecond)), JsonDocument.Parse(dry.Out).RootElement.GetProperty("since").GetDateTimeOffset()); // shown to the second
    }
}
