using System.Text;
using System.Text.Json;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Archive;

/// <summary>
/// <c>archive prune</c> on an archive fetched from the real bed: the dry run lists exactly what the prune removes,
/// index and files agree afterwards, a replay never sends a pruned message, and a fetch under the keep policy does
/// not download one again.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ArchivePruneTests(TestBedFixture bed)
{
    private const string Since = "2000-01-01T00:00:00Z";

    [Fact]
    public async Task Prune_removes_exactly_what_its_dry_run_listed_and_nothing_comes_back()
    {
        using var dir = new TempDirectory();
        string archive = dir.Sub("archive");
        var (user, oldIds, recentIds) = await PruneFixture.ArchiveAsync(bed, archive, "pr");

        // A replay before the prune: its journal names files that are about to be pruned.
        string before = dir.Sub("replayed-before");
        Assert.Equal(0, (await Replay(archive, before)).ExitCode);
        Assert.Equal(oldIds.Concat(recentIds).Order(StringComparer.Ordinal), DeliveredIds(before));

        CliRunner.Result dry = await CliRunner.RunAsync("archive", "prune", "--archive", archive, "--older-than", "60", "--dry-run", "--json");
        Assert.Equal(0, dry.ExitCode);
        List<string> listed = MessageIds(dry.Out);
        Assert.Equal(oldIds.Order(StringComparer.Ordinal), listed);
        Assert.Equal(PruneFixture.Old + PruneFixture.Recent, PruneFixture.FileCount(archive)); // a dry run changes nothing

        CliRunner.Result prune = await CliRunner.RunAsync("archive", "prune", "--archive", archive, "--older-than", "60", "--json");
        Assert.Equal(0, prune.ExitCode);
        Assert.Equal(listed, MessageIds(prune.Out));

        // Index and files agree, and verify calls it sound.
        Assert.Equal(recentIds.Order(StringComparer.Ordinal), PruneFixture.IndexedIds(archive));
        Assert.Equal(PruneFixture.Recent, PruneFixture.FileCount(archive));
        CliRunner.Result verify = await CliRunner.RunAsync("archive", "verify", "--archive", archive, "--json");
        Assert.Equal(0, verify.ExitCode);

        // The journal's rows for pruned files stay history: the same replay again sends nothing, a new one only the rest.
        CliRunner.Result again = await Replay(archive, before);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(oldIds.Concat(recentIds).Order(StringComparer.Ordinal), DeliveredIds(before));
        string after = dir.Sub("replayed-after");
        Assert.Equal(0, (await Replay(archive, after)).ExitCode);
        Assert.Equal(recentIds.Order(StringComparer.Ordinal), DeliveredIds(after));

        // Keep policy: the server still has the pruned messages; the fetch state says they are archived.
        var fetch = await Fetcher.RunAsync(archive, Fetcher.Account(bed, bed.Imaps(user)));
        Assert.Equal(0, fetch.ExitCode);
        Assert.Equal(0, fetch.Accounts.Sum(a => a.Fetched));
        Assert.Equal(recentIds.Order(StringComparer.Ordinal), PruneFixture.IndexedIds(archive));
        Assert.Equal(PruneFixture.Recent, PruneFixture.FileCount(archive));
    }

    [Fact]
    public async Task Prune_below_the_minimum_is_refused_and_changes_nothing()
    {
        using var dir = new TempDirectory();
        string archive = dir.Sub("archive");
        await PruneFixture.ArchiveAsync(bed, archive, "prmin");

        CliRunner.Result refused = await CliRunner.RunAsync("archive", "prune", "--archive", archive, "--older-than", "29");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("minimum of 30 days", refused.Error, StringComparison.Ordinal);
        Assert.Contains("--older-than 30", refused.Error, StringComparison.Ordinal);

        // A configured minimum is the limit instead: 120 refuses what 60 would allow.
        string config = dir.Sub("config.json");
        await File.WriteAllTextAsync(config, $$"""{ "archive": "{{archive}}", "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordFile": "/dev/null" } ], "prune": { "minimumDays": 120 } }""");
        CliRunner.Result configured = await CliRunner.RunAsync("archive", "prune", "--config", config, "--older-than", "60", "--dry-run");
        Assert.Equal(2, configured.ExitCode);
        Assert.Contains("minimum of 120 days", configured.Error, StringComparison.Ordinal);
        Assert.Equal(PruneFixture.Old + PruneFixture.Recent, PruneFixture.FileCount(archive));
    }

    [Fact]
    public async Task Prune_waits_for_a_running_replay_and_watch_prunes_daily_when_configured()
    {
        using var dir = new TempDirectory();
        string archive = dir.Sub("archive");
        var (user, _, recentIds) = await PruneFixture.ArchiveAsync(bed, archive, "prw");

        // A replay holds its lock: a prune would remove files it may be about to send.
        using (ArchiveLock.Acquire(Path.Combine(archive, "mailrecovery", "replay.lock"), "a replay"))
        {
            CliRunner.Result refused = await CliRunner.RunAsync("archive", "prune", "--archive", archive, "--older-than", "60");
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("a replay", refused.Error, StringComparison.Ordinal);
        }

        Assert.Equal(PruneFixture.Old + PruneFixture.Recent, PruneFixture.FileCount(archive));
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using MessageArchive writer = await MessageArchive.OpenAsync(archive, ArchiveAccess.ReadWrite, TimeProvider.System, cts.Token);
        using var watch = new Core.Fetch.WatchRun(writer, a => Core.Sources.MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), Fetcher.FastOptions(),
            new Core.Fetch.WatchOptions { PollInterval = TimeSpan.FromSeconds(30), PruneOlderThanDays = 60 }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Task running = watch.RunAsync([Fetcher.Account(bed, bed.Imaps(user))], cts.Token);
        while (writer.Index.CountMessages() > PruneFixture.Recent)
            await Task.Delay(50, cts.Token);
        await cts.CancelAsync();
        await running;
        Assert.Equal(recentIds.Order(StringComparer.Ordinal), PruneFixture.IndexedIds(archive));
        Assert.Equal(PruneFixture.Recent, PruneFixture.FileCount(archive));
    }

    private Task<CliRunner.Result> Replay(string archive, string maildir) =>
        CliRunner.RunAsync("replay", "--archive", archive, "--since", Since, "--to", $"maildir:{maildir}", "--yes", "--json");

    private static List<string> MessageIds(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("messageId").GetString()!).Order(StringComparer.Ordinal)];
    }

    /// <summary>The Message-IDs of the messages a maildir: target holds.</summary>
    private static List<string> DeliveredIds(string maildir) =>
        [.. new[] { "cur", "new" }.Where(d => Directory.Exists(Path.Combine(maildir, d)))
            .SelectMany(d => Directory.GetFiles(Path.Combine(maildir, d)))
            .Select(f => File.ReadAllLines(f, Encoding.UTF8).First(l => l.StartsWith("Message-ID: <", StringComparison.Ordinal))[13..^1])
            .Order(StringComparer.Ordinal)];
}
