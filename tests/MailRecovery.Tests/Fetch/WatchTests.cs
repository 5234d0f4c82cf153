using System.Diagnostics;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Fetch;

[Collection(TestBedCollection.Name)]
public sealed class WatchTests(TestBedFixture bed)
{
    /// <summary>Far longer than the test waits: only IDLE can explain a message arriving in time.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Watch_picks_up_new_mail_by_IDLE_within_seconds_and_survives_a_Dovecot_restart()
    {
        string user = TestBedFixture.NewUser("w");
        await bed.LoadAsync(user, [TestMessages.Simple(0, $"w0.{user}@example.org")]);
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, cts.Token);
        using var watch = new WatchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), Fetcher.FastOptions(),
            new WatchOptions { PollInterval = PollInterval, RetryDelay = TimeSpan.FromMilliseconds(500) }, NullLogger.Instance);
        Task running = watch.RunAsync([Fetcher.Account(bed, bed.Imaps(user))], cts.Token);

        await WaitForFilesAsync(dir.Path, 1, TimeSpan.FromSeconds(10));
        await Task.Delay(1000); // let it settle into IDLE

        var sw = Stopwatch.StartNew();
        await bed.SendAsync($"{user}@example.test", "arrives while idling");
        await WaitForFilesAsync(dir.Path, 2, TimeSpan.FromSeconds(10));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");

        await bed.TestBedAsync("restart-dovecot");
        await bed.SendAsync($"{user}@example.test", "arrives after the restart");
        await WaitForFilesAsync(dir.Path, 3, TimeSpan.FromSeconds(30));

        await cts.CancelAsync();
        await running; // returns cleanly on cancellation
        Assert.Equal(3, archive.Index.CountMessages());
    }

    [Fact]
    public async Task Watch_fetches_a_message_that_arrives_during_a_pass_right_after_it_not_after_the_poll_interval()
    {
        string user = TestBedFixture.NewUser("wb");
        await bed.LoadAsync(user, [TestMessages.Simple(0, $"wb0.{user}@example.org")]);
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, cts.Token);
        // The message is sent and delivered after the first pass listed the mailbox, before it fetched anything.
        var midPass = new SendOnFirstMailbox(() => bed.SendAsync($"{user}@example.test", "arrives during the pass"), () => bed.WaitForMessagesAsync(user, 2));
        using var watch = new WatchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), Fetcher.FastOptions(),
            new WatchOptions { PollInterval = TimeSpan.FromSeconds(60), RetryDelay = TimeSpan.FromSeconds(60) }, NullLogger.Instance, midPass);
        Task running = watch.RunAsync([Fetcher.Account(bed, bed.Imaps(user))], cts.Token);

        await WaitForFilesAsync(dir.Path, 1, TimeSpan.FromSeconds(20));
        await WaitForFilesAsync(dir.Path, 2, TimeSpan.FromSeconds(20));
        TimeSpan delay = Stopwatch.GetElapsedTime(midPass.AcceptedAt);
        Assert.True(delay < TimeSpan.FromSeconds(2), $"the message sent during the pass was archived {delay} after SMTP acceptance");

        await cts.CancelAsync();
        await running;
        Assert.Equal(2, archive.Index.CountMessages());
    }

    [Fact]
    public async Task Watch_sends_scheduled_probes_records_them_and_archives_the_probe_marked_as_such()
    {
        string tag = TestBedFixture.NewUser("wp");
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, cts.Token);
        using var watch = new WatchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), Fetcher.FastOptions(),
            new WatchOptions { PollInterval = PollInterval, RetryDelay = TimeSpan.FromMilliseconds(500) }, NullLogger.Instance);
        var probe = new ProbeSchedule(new AliasVerifyOptions(
            Core.Probe.SmtpEndpoint.Parse($"smtp://127.0.0.1:{bed.SmtpPort}", insecure: false), SourceCredentials.None, $"support-{tag}@example.test", null,
            bed.Imaps($"safety-{tag}"), bed.Credentials, bed.Imaps($"helpdesk-{tag}"), bed.Credentials, bed.Trust, TimeSpan.FromSeconds(20), Cleanup: false), TimeSpan.FromHours(1));

        Task running = watch.RunAsync([Fetcher.Account(bed, bed.Imaps($"safety-{tag}"))], cts.Token, probe);
        var sw = Stopwatch.StartNew();
        while (archive.Index.LastProbe() is null || archive.Index.CountMessages() == 0)
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(90), "no probe result or no archived probe within 90 s");
            await Task.Delay(100);
        }

        await cts.CancelAsync();
        await running;
        Assert.Equal("works", archive.Index.LastProbe()!.Value.Verdict);
        ArchivedMessage archived = Assert.Single(archive.Index.AllMessages());
        Assert.True(archived.Metadata.IsProbe);
        var window = new ReplayWindow(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), ReplayClock.Received);
        Assert.Empty(ReplaySelector.Select(archive.Index, window, ReplayFilter.All));
        Assert.Single(ReplaySelector.Select(archive.Index, window, ReplayFilter.All with { IncludeProbes = true }));
    }

    private static async Task WaitForFilesAsync(string root, int count, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        var layout = new ArchiveLayout(root);
        while (ArchiveCataloguer.ListFiles(layout).Count < count)
        {
            if (sw.Elapsed > timeout)
                throw new TimeoutException($"the archive has {ArchiveCataloguer.ListFiles(layout).Count} files after {timeout}, expected {count}");
            await Task.Delay(100);
        }
    }

    /// <summary>Sends a message when the first pass has listed its mailbox, and waits until it is delivered.</summary>
    private sealed class SendOnFirstMailbox(Func<Task> send, Func<Task> delivered) : IFetchObserver
    {
        private int started;

        public long AcceptedAt { get; private set; }

        public void MailboxStarted(string account, string mailbox, int messages, long bytes)
        {
            if (Interlocked.Exchange(ref started, 1) == 1)
                return;
            send().GetAwaiter().GetResult();
            AcceptedAt = Stopwatch.GetTimestamp();
            delivered().GetAwaiter().GetResult();
        }

        public void MessageDone(string account, long bytes, bool fresh)
        {
        }
    }
}
