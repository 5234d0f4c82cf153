using System.Diagnostics;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Metrics;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Metrics;

/// <summary>The metrics a real <see cref="WatchRun"/> feeds into <see cref="WatchMetrics"/>, against the test bed.</summary>
[Collection(TestBedCollection.Name)]
public sealed class WatchMetricsTests(TestBedFixture bed)
{
    [Fact]
    public async Task A_scheduled_probe_sets_its_verdict_and_latency_and_IDLE_shows_as_active()
    {
        string tag = TestBedFixture.NewUser("mp");
        string alias = $"support-{tag}@example.test";
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, cts.Token);
        var metrics = new WatchMetrics(TimeProvider.System, NullLogger.Instance, archive.Layout.JournalPath);
        AccountSpec account = Fetcher.Account(bed, bed.Imaps($"safety-{tag}"));
        metrics.AddAccount(account.Name, null);
        metrics.AddAlias(alias);
        string before = await Exposition.ScrapeAsync(metrics.Registry);
        await Exposition.AssertValidAsync(before);
        Assert.Equal(0, Exposition.Value(before, "mailrecovery_last_successful_pass_timestamp_seconds"));
        Assert.Equal(double.PositiveInfinity, Exposition.Value(before, "mailrecovery_last_successful_pass_age_seconds"));
        Assert.Equal(0, Exposition.Value(before, "mailrecovery_alias_probes_total", "verdict=\"works\""));
        Assert.Null(Exposition.Value(before, "mailrecovery_alias_probe_success"));

        using var watch = new WatchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), Fetcher.FastOptions(),
            new WatchOptions { PollInterval = TimeSpan.FromMinutes(5), RetryDelay = TimeSpan.FromMilliseconds(500), Observer = metrics }, NullLogger.Instance);
        var probe = new ProbeSchedule(new AliasVerifyOptions(
            Core.Probe.SmtpEndpoint.Parse($"smtp://127.0.0.1:{bed.SmtpPort}", insecure: false), SourceCredentials.None, alias, null,
            bed.Imaps($"safety-{tag}"), bed.Credentials, bed.Imaps($"helpdesk-{tag}"), bed.Credentials, bed.Trust, TimeSpan.FromSeconds(20), Cleanup: false), TimeSpan.FromHours(1));
        Task running = watch.RunAsync([account], cts.Token, probe);
        string text = await ScrapeUntilAsync(metrics, t => Exposition.Value(t, "mailrecovery_alias_probe_success") is not null && Exposition.Value(t, "mailrecovery_idle_active") == 1);
        await cts.CancelAsync();
        await running;

        await Exposition.AssertValidAsync(text);
        Assert.Equal(1, Exposition.Value(text, "mailrecovery_alias_probe_success", $"alias=\"{alias}\""));
        Assert.Equal(1, Exposition.Value(text, "mailrecovery_alias_probes_total", "verdict=\"works\""));
        Assert.Equal(0, Exposition.Value(text, "mailrecovery_alias_probes_total", "verdict=\"broken\""));
        Assert.InRange(Exposition.Value(text, "mailrecovery_alias_probe_latency_seconds", "mailbox=\"copy\"")!.Value, 0.0001, 20);
        Assert.InRange(Exposition.Value(text, "mailrecovery_alias_probe_latency_seconds", "mailbox=\"primary\"")!.Value, 0.0001, 20);
        Assert.InRange(Exposition.Value(text, "mailrecovery_alias_probe_timestamp_seconds")!.Value, DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);

        // Stopped: the IDLE connection is closed, and the gauge says so.
        Assert.Equal(0, Exposition.Value(await Exposition.ScrapeAsync(metrics.Registry), "mailrecovery_idle_active"));
    }

    [Fact]
    public async Task A_refused_login_counts_as_an_authentication_failure_and_keeps_the_last_success()
    {
        string user = TestBedFixture.NewUser("ma");
        using var dir = new TempDirectory();
        string wrong = dir.Sub("wrong.password");
        await SecretFile.WriteAsync(wrong, "not-the-password\n");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Sub("archive"), ArchiveAccess.ReadWrite, TimeProvider.System, cts.Token);
        var metrics = new WatchMetrics(TimeProvider.System, NullLogger.Instance, archive.Layout.JournalPath);
        AccountSpec account = Fetcher.Account(bed, bed.Imaps(user)) with { Credentials = new SourceCredentials(wrong, null) };
        var earlier = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
        metrics.AddAccount(account.Name, earlier);
        using var watch = new WatchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), Fetcher.FastOptions(),
            new WatchOptions { PollInterval = TimeSpan.FromMinutes(5), Observer = metrics }, NullLogger.Instance);
        Task running = watch.RunAsync([account], cts.Token);
        string text = await ScrapeUntilAsync(metrics, t => Exposition.Value(t, "mailrecovery_passes_total") >= 1);
        await cts.CancelAsync();
        await running;

        await Exposition.AssertValidAsync(text);
        Assert.Equal(1, Exposition.Value(text, "mailrecovery_pass_failures_total", "kind=\"authentication\""));
        Assert.Equal(0, Exposition.Value(text, "mailrecovery_pass_failures_total", "kind=\"transient\""));
        Assert.Equal(0, Exposition.Value(text, "mailrecovery_messages_archived_total"));
        Assert.Equal(earlier.ToUnixTimeSeconds(), Exposition.Value(text, "mailrecovery_last_successful_pass_timestamp_seconds"));
        Assert.True(Exposition.Value(text, "mailrecovery_last_successful_pass_age_seconds") > DateTimeOffset.UtcNow.ToUnixTimeSeconds() - earlier.ToUnixTimeSeconds() - 5);
    }

    [Fact]
    public async Task Replay_journal_states_are_counted_at_each_scrape_without_creating_a_journal()
    {
        using var dir = new TempDirectory();
        string journalPath = dir.Sub("replay-journal.sqlite");
        var metrics = new WatchMetrics(TimeProvider.System, NullLogger.Instance, journalPath);
        string empty = await Exposition.ScrapeAsync(metrics.Registry);
        Assert.Equal(0, Exposition.Value(empty, "mailrecovery_replay_messages", "state=\"delivered\""));
        Assert.False(File.Exists(journalPath), "a scrape must not create the journal");

        using (ReplayJournal journal = ReplayJournal.Open(journalPath, TimeProvider.System))
        {
            journal.RecordMany("lmtp://a", ["f1", "f2", "f3"], JournalState.Delivered);
            journal.Record("lmtp://b", "f1", JournalState.Delivered);
            journal.Record("lmtp://a", "f4", JournalState.Uncertain);
            journal.RecordIntent("lmtp://a", "f5", null);
        }

        string text = await Exposition.ScrapeAsync(metrics.Registry);
        await Exposition.AssertValidAsync(text);
        Assert.Equal(4, Exposition.Value(text, "mailrecovery_replay_messages", "state=\"delivered\""));
        Assert.Equal(1, Exposition.Value(text, "mailrecovery_replay_messages", "state=\"uncertain\""));
        Assert.Equal(1, Exposition.Value(text, "mailrecovery_replay_messages", "state=\"intent\""));
        Assert.Equal(0, Exposition.Value(text, "mailrecovery_replay_messages", "state=\"try_later\""));
    }

    [Fact]
    public void Failure_kinds_and_verdicts_are_labelled_in_snake_case()
    {
        Assert.Equal("local_storage", WatchMetrics.KindLabel(FailureKind.LocalStorage));
        Assert.Equal("authentication", WatchMetrics.KindLabel(FailureKind.Authentication));
        Assert.Equal("could_not_tell", WatchMetrics.VerdictLabel(ProbeVerdict.CouldNotTell));
    }

    [Theory]
    [InlineData("127.0.0.1:9750", "127.0.0.1", 9750, false)]
    [InlineData("0.0.0.0:9750", "+", 9750, true)]
    [InlineData("[::1]:9750", "[::1]", 9750, false)]
    [InlineData("[::]:80", "+", 80, true)]
    public void An_address_and_port_parse(string text, string host, int port, bool any)
    {
        MetricsEndpoint endpoint = MetricsEndpoint.TryParse(text)!;
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(any, endpoint.AnyInterface);
        Assert.Equal(text, endpoint.ToString());
    }

    [Fact]
    public void The_configuration_key_metrics_listen_is_read_and_a_bad_value_names_the_key()
    {
        static MailRecoveryConfig Parse(string? listen)
        {
            var values = new Dictionary<string, string?>
            {
                ["archive"] = "/tmp/a",
                ["accounts:0:protocol"] = "imap",
                ["accounts:0:host"] = "h",
                ["accounts:0:user"] = "u",
                ["accounts:0:passwordEnv"] = "P",
            };
            if (listen is not null)
                values["metrics:listen"] = listen;
            return ConfigLoader.Parse(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), "/tmp");
        }

        Assert.Null(Parse(null).Metrics);
        Assert.Equal(new MetricsEndpoint(System.Net.IPAddress.Loopback, 9750), Parse("127.0.0.1:9750").Metrics);
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => Parse("localhost"));
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("metrics.listen: 'localhost' is not ADDRESS:PORT", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"127.0.0.1:9750\"", e.Fix, StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeUntilAsync(WatchMetrics metrics, Func<string, bool> done)
    {
        var sw = Stopwatch.StartNew();
        string text;
        while (!done(text = await Exposition.ScrapeAsync(metrics.Registry)))
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(90))
                throw new TimeoutException($"the metrics did not reach the expected values within 90 s:\n{text}");
            await Task.Delay(100);
        }

        return text;
    }
}
