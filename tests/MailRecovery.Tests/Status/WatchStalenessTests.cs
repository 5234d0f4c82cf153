using System.Diagnostics;
using System.Text.Json;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Status;

/// <summary>
/// On the real bed, with a real <c>watch</c> process polling every second: <c>status --config</c> turns to exit 1
/// within five poll intervals (the limit it derives from <c>watch.pollSeconds</c>) when watch is killed, and when
/// the copy account's login starts to fail, each with its one-line reason.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class WatchStalenessTests(TestBedFixture bed)
{
    // 5 × pollSeconds 1. The waits below add a margin for starting each `status` process on a loaded CI machine;
    // what is asserted is that status itself flags the condition by its limit.
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Status_says_watch_not_running_within_five_poll_intervals_of_watch_being_killed()
    {
        using var dir = new TempDirectory();
        string copy = TestBedFixture.NewUser("st");
        string config = await SetUpAsync(dir.Path, copy);
        using Process watch = CliRunner.Start(null, "watch", "--config", config, "--no-idle");
        try
        {
            await WaitForAsync(config, code: 0, TimeSpan.FromSeconds(60));
        }
        finally
        {
            watch.Kill();
            await watch.WaitForExitAsync();
        }

        var killed = Stopwatch.StartNew();
        JsonElement json = await WaitForAsync(config, code: 1, Limit + TimeSpan.FromSeconds(15));

        JsonElement c = Assert.Single(json.GetProperty("conditions").EnumerateArray());
        Assert.Equal("watch-not-running", c.GetProperty("condition").GetString());
        Assert.False(c.TryGetProperty("account", out _)); // about the whole watch, not one account
        Assert.StartsWith("watch not running since ", c.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(DateTimeOffset.UtcNow - c.GetProperty("since").GetDateTimeOffset() > Limit);
        Assert.Equal(5.0 / 60, json.GetProperty("maxPassAgeMinutes").GetDouble(), 6);
        Assert.Contains(c.GetProperty("reason").GetString(), json.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
        Assert.True(killed.Elapsed < Limit + TimeSpan.FromSeconds(15), $"flagged {killed.Elapsed} after the kill");
    }

    [Fact]
    public async Task Status_says_watch_not_running_when_watch_was_killed_during_its_first_pass_before_any_pass_was_recorded()
    {
        // Thousands of messages: the first pass commits its first batches early and downloads for seconds more.
        // Killed then, the index holds messages and no pass record (it rides the group commit after the pass), and
        // status used to stay "ok" until the 24 h quiet period.
        using var dir = new TempDirectory();
        string copy = TestBedFixture.NewUser("sk");
        await bed.LoadAsync(copy, Enumerable.Range(0, 4000).Select(i => TestMessages.Simple(i, $"k{i}.{copy}@example.org")));
        string config = await SetUpAsync(dir.Path, copy);
        var layout = new Core.Archive.ArchiveLayout(Path.Combine(dir.Path, "archive"));
        using Process watch = CliRunner.Start(null, "watch", "--config", config, "--no-idle");
        try
        {
            var sw = Stopwatch.StartNew();
            while (!Directory.Exists(layout.Cur) || Core.Archive.ArchiveCataloguer.ListFiles(layout).Count == 0)
            {
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"watch archived nothing: {(watch.HasExited ? await watch.StandardError.ReadToEndAsync() : "still running")}");
                await Task.Delay(20);
            }

            await Task.Delay(300); // the first group's index commit
        }
        finally
        {
            watch.Kill();
            await watch.WaitForExitAsync();
        }

        var before = await CliRunner.RunAsync("status", "--config", config, "--json", "--tz", "UTC");
        Assert.True(!before.Out.Contains("\"lastSuccess\"", StringComparison.Ordinal) && JsonDocument.Parse(before.Out).RootElement.GetProperty("messages").GetInt64() > 0,
            $"not the state under test (a pass on record, or no message): {before.Out}");

        // The loaded messages are days old, so "quiet" is there from the start: what matters is watch-not-running.
        var killed = Stopwatch.StartNew();
        JsonElement? flagged = null;
        while (flagged is null)
        {
            Assert.True(killed.Elapsed < Limit + TimeSpan.FromSeconds(15), $"status never said watch-not-running: {before.Out}");
            await Task.Delay(250);
            var status = await CliRunner.RunAsync("status", "--config", config, "--json", "--tz", "UTC");
            flagged = JsonDocument.Parse(status.Out).RootElement.GetProperty("conditions").EnumerateArray()
                .Where(c => c.GetProperty("condition").GetString() == "watch-not-running").Select(c => (JsonElement?)c.Clone()).FirstOrDefault();
            Assert.Equal(1, status.ExitCode);
        }

        Assert.Contains("no pass was ever recorded", flagged.Value.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_says_the_account_fails_since_the_password_changed_with_the_reason()
    {
        using var dir = new TempDirectory();
        string copy = TestBedFixture.NewUser("sf");
        // Two seconds here: after a lost IDLE session watch waits its retry delay (5 s) before the next pass, and
        // that wait must stay inside the limit (5 × 2 s) for the failure, not silence, to be what status sees.
        string config = await SetUpAsync(dir.Path, copy, pollSeconds: 2);
        using Process watch = CliRunner.Start(null, "watch", "--config", config); // IDLE: a session to kick
        try
        {
            await WaitForAsync(config, code: 0, TimeSpan.FromSeconds(60));

            DateTimeOffset changed = DateTimeOffset.UtcNow;
            await File.WriteAllTextAsync(Path.Combine(dir.Path, "password"), "not-the-password\n"); // keeps mode 600
            await KickAsync(copy);
            var sw = Stopwatch.StartNew();
            JsonElement json = await WaitForAsync(config, code: 1, 2 * Limit + TimeSpan.FromSeconds(20));

            JsonElement c = Assert.Single(json.GetProperty("conditions").EnumerateArray());
            Assert.True(c.GetProperty("condition").GetString() == "account-failing", json.ToString());
            string reason = c.GetProperty("reason").GetString()!;
            Assert.Matches($"^account imap://{copy}@127\\.0\\.0\\.1:\\d+ failing since \\d{{4}}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ: .+", reason);
            Assert.Contains("password", reason, StringComparison.OrdinalIgnoreCase); // the classified login failure, not a generic text
            DateTimeOffset since = c.GetProperty("since").GetDateTimeOffset();
            Assert.InRange(since, changed.AddSeconds(-1), DateTimeOffset.UtcNow); // the first failure after the change, not the latest
            Assert.StartsWith($"imap://{copy}@127.0.0.1:", c.GetProperty("account").GetString(), StringComparison.Ordinal); // which one, for a monitor's label
            Assert.True(sw.Elapsed < 2 * Limit + TimeSpan.FromSeconds(20), $"flagged {sw.Elapsed} after the change");
            Assert.False(watch.HasExited, "watch keeps running (and retrying) while the account fails");
        }
        finally
        {
            watch.Kill();
            await watch.WaitForExitAsync();
        }
    }

    /// <summary>A copy account with one message, a 600 password file, and a configuration polling every second.</summary>
    private async Task<string> SetUpAsync(string dir, string copy, int pollSeconds = 1)
    {
        await bed.SendAsync(copy, "before");
        await bed.WaitForMessagesAsync(copy, 1);
        string password = Path.Combine(dir, "password");
        await File.WriteAllTextAsync(password, bed.Password + "\n");
        File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string config = Path.Combine(dir, "mailrecovery.json");
        await File.WriteAllTextAsync(config, $$"""
            { "archive": "{{Path.Combine(dir, "archive")}}", "caFile": "{{bed.CaFile}}", "watch": { "pollSeconds": {{pollSeconds}} },
              "accounts": [ { "protocol": "imap", "tls": "implicit", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "{{copy}}", "passwordFile": "{{password}}" } ] }
            """);
        return config;
    }

    /// <summary>Ends the account's open sessions, as an admin does after changing a password; there may be none between two passes.</summary>
    private async Task KickAsync(string user)
    {
        try
        {
            await bed.DoveadmAsync($"kick {user}");
        }
        catch (InvalidOperationException e) when (e.Message.Contains("no users kicked", StringComparison.Ordinal))
        {
        }
    }

    /// <summary>Runs <c>status --config --json</c> until it exits with <paramref name="code"/>; returns that report.</summary>
    private static async Task<JsonElement> WaitForAsync(string config, int code, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var result = await CliRunner.RunAsync("status", "--config", config, "--json", "--tz", "UTC");
            if (result.ExitCode == code)
                return JsonDocument.Parse(result.Out).RootElement.Clone();
            Assert.True(sw.Elapsed < timeout, $"status did not exit {code} within {timeout}: {result.Out}{result.Error}");
            await Task.Delay(250);
        }
    }
}
