using System.Text.Json;
using MailRecovery.Core.Alerts;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Status;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailRecovery.Tests.Alerts;

/// <summary>Alerts delivered over real HTTP to a listener in the test, with the state kept in a real state file.</summary>
public sealed class WebhookAlertTests : IDisposable
{
    private static readonly StatusCondition NotRunning = new("watch-not-running", new DateTimeOffset(2025, 3, 1, 7, 50, 0, TimeSpan.Zero), "watch not running since 2025-03-01 07:50:00Z: no pass recorded for 10 min (limit 5 min); start it.");
    private readonly TempDirectory dir = new();
    private readonly WebhookReceiver receiver = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        receiver.Dispose();
        dir.Dispose();
    }

    private AlertRun Run(WebhookFormat format = WebhookFormat.Generic, string path = "hook", SourceCredentials? token = null) =>
        new(new AlertOptions { Webhook = new WebhookSettings(new Uri(receiver.Url(path)), format, token) }, "/srv/archive", dir.Path, clock, NullLogger.Instance);

    [Fact]
    public async Task One_post_when_a_condition_starts_none_while_it_holds_one_reminder_a_day_and_one_when_it_clears()
    {
        using AlertRun run = Run();
        AlertRunReport first = await run.EvaluateAsync([NotRunning], CancellationToken.None);
        Assert.Single(first.Sent);
        Assert.Single(receiver.Requests);

        for (int i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await run.EvaluateAsync([NotRunning], CancellationToken.None);
        }

        Assert.Single(receiver.Requests);
        JsonElement body = receiver.Requests.Single().Body;
        Assert.StartsWith("application/json", receiver.Requests.Single().ContentType, StringComparison.Ordinal);
        Assert.Equal("started", body.GetProperty("event").GetString());
        Assert.Equal("watch-not-running", body.GetProperty("condition").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("account").ValueKind);
        Assert.Equal(NotRunning.Since, body.GetProperty("since").GetDateTimeOffset());
        Assert.Equal(NotRunning.Reason, body.GetProperty("reason").GetString());
        Assert.Contains("systemctl start mailrecovery-watch", body.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Equal(System.Net.Dns.GetHostName(), body.GetProperty("host").GetString());
        Assert.Equal("/srv/archive", body.GetProperty("archive").GetString());
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromMinutes(5), body.GetProperty("at").GetDateTimeOffset());
        Assert.StartsWith($"MailRecovery on {System.Net.Dns.GetHostName()}: PROBLEM: watch-not-running", body.GetProperty("text").GetString(), StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromHours(24));
        await run.EvaluateAsync([NotRunning], CancellationToken.None);
        await run.EvaluateAsync([NotRunning], CancellationToken.None);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal("reminder", receiver.Requests.Last().Body.GetProperty("event").GetString());

        clock.Advance(TimeSpan.FromMinutes(1));
        await run.EvaluateAsync([], CancellationToken.None);
        await run.EvaluateAsync([], CancellationToken.None);
        Assert.Equal(3, receiver.Requests.Count);
        JsonElement cleared = receiver.Requests.Last().Body;
        Assert.Equal("cleared", cleared.GetProperty("event").GetString());
        Assert.Equal(NotRunning.Reason, cleared.GetProperty("reason").GetString());
        Assert.StartsWith($"MailRecovery on {System.Net.Dns.GetHostName()}: RESOLVED: watch-not-running", cleared.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_state_survives_a_restart_so_a_new_process_does_not_alert_again_but_does_clear()
    {
        using (AlertRun first = Run())
            await first.EvaluateAsync([NotRunning], CancellationToken.None);
        using AlertRun second = Run();
        await second.EvaluateAsync([NotRunning], CancellationToken.None);
        Assert.Single(receiver.Requests);
        await second.EvaluateAsync([], CancellationToken.None);
        Assert.Equal(["started", "cleared"], receiver.Requests.Select(r => r.Body.GetProperty("event").GetString()));
    }

    [Fact]
    public async Task A_receiver_that_fails_gets_the_alert_again_at_the_next_evaluation_and_nothing_throws()
    {
        using AlertRun run = Run();
        receiver.Status = 503;
        AlertRunReport failed = await run.EvaluateAsync([NotRunning], CancellationToken.None);
        Assert.Empty(failed.Sent);
        Assert.Contains("answered 503", Assert.Single(failed.Failed).Error, StringComparison.Ordinal);
        Assert.DoesNotContain("/hook", failed.Failed[0].Error, StringComparison.Ordinal); // the path may be the secret

        receiver.Status = 200;
        clock.Advance(TimeSpan.FromMinutes(1));
        await run.EvaluateAsync([NotRunning], CancellationToken.None);
        Assert.Equal("started", Assert.Single(receiver.Requests).Body.GetProperty("event").GetString());
    }

    [Fact]
    public async Task A_receiver_that_is_not_there_is_a_failure_not_a_crash()
    {
        using var gone = new WebhookReceiver();
        string url = gone.Url();
        gone.Dispose();
        using var run = new AlertRun(new AlertOptions { Webhook = new WebhookSettings(new Uri(url), WebhookFormat.Generic, null), Timeout = TimeSpan.FromSeconds(5) }, "/srv/archive", dir.Path, clock, NullLogger.Instance);
        AlertRunReport report = await run.EvaluateAsync([NotRunning], CancellationToken.None);
        string error = Assert.Single(report.Failed).Error;
        Assert.StartsWith($"the webhook at http://127.0.0.1:{new Uri(url).Port}: cannot connect (ConnectionRefused", error, StringComparison.Ordinal); // classified, not an "internal error"
        Assert.False(File.Exists(dir.Sub("alerts.json")) && File.ReadAllText(dir.Sub("alerts.json")).Contains("watch-not-running", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_receiver_that_never_answers_is_a_timeout_failure_within_the_timeout()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start(); // accepts connections (the kernel's backlog) and never answers
        int port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        using var run = new AlertRun(new AlertOptions { Webhook = new WebhookSettings(new Uri($"http://127.0.0.1:{port}/hook"), WebhookFormat.Generic, null), Timeout = TimeSpan.FromSeconds(1) }, "/srv/archive", dir.Path, clock, NullLogger.Instance);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        AlertRunReport report = await run.EvaluateAsync([NotRunning], CancellationToken.None);
        Assert.Contains("no answer within 1 s", Assert.Single(report.Failed).Error, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), sw.Elapsed.ToString());
    }

    [Fact]
    public async Task Slack_gets_a_text_and_ntfy_its_json_publish_shape_at_the_root_with_the_bearer_token()
    {
        using (AlertRun slack = Run(WebhookFormat.Slack))
            await slack.EvaluateAsync([NotRunning], CancellationToken.None);
        JsonElement s = Assert.Single(receiver.Requests).Body;
        Assert.Equal(["text"], s.EnumerateObject().Select(p => p.Name));
        Assert.Contains(NotRunning.Reason, s.GetProperty("text").GetString(), StringComparison.Ordinal);

        File.Delete(dir.Sub("alerts.json"));
        string token = dir.Sub("token");
        File.WriteAllText(token, "tk_secret\n");
        File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using (AlertRun ntfy = Run(WebhookFormat.Ntfy, "mailrecovery-3f9c", new SourceCredentials(token, null)))
            await ntfy.EvaluateAsync([NotRunning], CancellationToken.None);
        WebhookReceiver.Request n = receiver.Requests.Last();
        Assert.Equal("/", n.Path);
        Assert.Equal("Bearer tk_secret", n.Authorization);
        Assert.Equal("mailrecovery-3f9c", n.Body.GetProperty("topic").GetString());
        Assert.Contains("PROBLEM: watch-not-running", n.Body.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.StartsWith(NotRunning.Reason, n.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, n.Body.GetProperty("priority").GetInt32());
        Assert.Equal("warning", n.Body.GetProperty("tags")[0].GetString());
    }

    [Fact]
    public async Task While_one_process_evaluates_another_skips_instead_of_sending_the_same_alert()
    {
        using AlertStateFile held = AlertStateFile.TryLock(dir.Path)!;
        using AlertRun run = Run();
        AlertRunReport report = await run.EvaluateAsync([NotRunning], CancellationToken.None);
        Assert.True(report.Skipped);
        Assert.Empty(receiver.Requests);
    }
}
