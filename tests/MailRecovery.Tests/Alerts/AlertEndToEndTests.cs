using System.Diagnostics;
using System.Text.Json;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Alerts;

/// <summary>
/// A real condition, real processes, real receivers: watch (polling every second, alerts configured) is killed;
/// <c>status --alert</c>, as the timer runs it, sends "watch not running" to the webhook in the test and through
/// Postfix to a bed mailbox, once however often it runs; watch, started again, sends "cleared" itself, once,
/// because both read and write the same alert state.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class AlertEndToEndTests(TestBedFixture bed)
{
    [Fact]
    public async Task Watch_not_running_reaches_the_webhook_and_the_mailbox_once_when_it_starts_and_once_when_it_clears()
    {
        using var dir = new TempDirectory();
        using var receiver = new WebhookReceiver();
        string copy = TestBedFixture.NewUser("ae");
        string admin = TestBedFixture.NewUser("aeadmin");
        await bed.SendAsync(copy, "before");
        await bed.WaitForMessagesAsync(copy, 1);
        string password = dir.Sub("password");
        await File.WriteAllTextAsync(password, bed.Password + "\n");
        File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string config = dir.Sub("mailrecovery.json");
        await File.WriteAllTextAsync(config, $$"""
            { "archive": "{{dir.Sub("archive")}}", "caFile": "{{bed.CaFile}}", "watch": { "pollSeconds": 1 },
              "accounts": [ { "protocol": "imap", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "{{copy}}", "passwordFile": "{{password}}" } ],
              "alerts": { "webhook": { "url": "{{receiver.Url()}}" },
                          "mail": { "smtp": "smtp://127.0.0.1:{{bed.SmtpPort}}", "from": "mailrecovery@example.test", "to": [ "{{admin}}@example.test" ] } } }
            """);

        string last = string.Empty;
        await RunWatchUntilAsync(config, async () =>
        {
            CliRunner.Result status = await CliRunner.RunAsync("status", "--config", config, "--json");
            last = status.Out + status.Error;
            // A pass must be recorded, not only a message archived: watch records its passes in the next group
            // commit, and an archive with no pass on record gives status nothing to call stale (it said "ok" for
            // the whole wait when watch was killed between the two).
            return status.ExitCode == 0 && status.Out.Contains("\"lastSuccess\"", StringComparison.Ordinal);
        }, () => last);
        Assert.Empty(receiver.Requests); // nothing held while watch ran: nothing alerted

        var sw = Stopwatch.StartNew();
        CliRunner.Result? alerted = null;
        do
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(45), $"status --alert never flagged the killed watch: {alerted}");
            await Task.Delay(500);
            alerted = await CliRunner.RunAsync("status", "--config", config, "--alert");
        }
        while (alerted.ExitCode != 1);
        Assert.Contains("alert sent (webhook): PROBLEM: watch-not-running", alerted.Out, StringComparison.Ordinal);
        Assert.Contains("alert sent (mail): PROBLEM: watch-not-running", alerted.Out, StringComparison.Ordinal);
        Assert.Equal(1, (await CliRunner.RunAsync("status", "--config", config, "--alert")).ExitCode);
        Assert.Equal(1, (await CliRunner.RunAsync("status", "--config", config, "--alert")).ExitCode);
        JsonElement started = Assert.Single(receiver.Requests).Body;
        Assert.Equal("started", started.GetProperty("event").GetString());
        Assert.Equal("watch-not-running", started.GetProperty("condition").GetString());
        Assert.StartsWith("watch not running since ", started.GetProperty("reason").GetString(), StringComparison.Ordinal);
        await bed.WaitForMessagesAsync(admin, 1);

        // watch itself clears it, after its first pass and one evaluation interval.
        await RunWatchUntilAsync(config, () => Task.FromResult(receiver.Requests.Count >= 2 && bed.CountMessages(admin) >= 2), () => $"{string.Join(", ", receiver.Requests.Select(r => r.Body.GetProperty("event").GetString()))}; {bed.CountMessages(admin)} mails");
        await bed.WaitForMessagesAsync(admin, 2);
        await Task.Delay(1000);
        Assert.Equal(["started", "cleared"], receiver.Requests.Select(r => r.Body.GetProperty("event").GetString()));
        Assert.Equal(2, bed.CountMessages(admin));
        Assert.Equal(0, (await CliRunner.RunAsync("status", "--config", config, "--alert")).ExitCode);
        Assert.Equal(2, receiver.Requests.Count);
    }

    /// <summary>Runs a real watch process until <paramref name="done"/> holds (at most 60 s), then kills it.</summary>
    private static async Task RunWatchUntilAsync(string config, Func<Task<bool>> done, Func<string> describe)
    {
        using Process watch = CliRunner.Start(null, "watch", "--config", config, "--no-idle");
        try
        {
            var sw = Stopwatch.StartNew();
            while (!await done())
            {
                if (watch.HasExited)
                    Assert.Fail($"watch exited: {await watch.StandardError.ReadToEndAsync()}");
                if (sw.Elapsed > TimeSpan.FromSeconds(60))
                {
                    watch.Kill();
                    Assert.Fail($"timed out: {describe()}\nwatch: {await watch.StandardError.ReadToEndAsync()}");
                }
                await Task.Delay(250);
            }
        }
        finally
        {
            watch.Kill();
            await watch.WaitForExitAsync();
        }
    }
}
