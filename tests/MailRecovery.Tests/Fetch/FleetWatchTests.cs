using System.Diagnostics;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// Many accounts in one process (issue 15): a slow account does not hold up the others, passes against one server
/// stay under the cap, and every account archives.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class FleetWatchTests(TestBedFixture bed)
{
    [Fact]
    public async Task An_account_stuck_in_its_download_does_not_hold_up_another_accounts_archiving()
    {
        // Account A's server stops answering in the middle of A's download; B, on one FetchRun (one archive gate,
        // as in watch), must archive meanwhile. When every download held the archive, B waited for A.
        string slow = TestBedFixture.NewUser("fs"), quick = TestBedFixture.NewUser("fq");
        await bed.LoadAsync(slow, [TestMessages.Simple(0, $"s0.{slow}@example.org")]);
        await bed.LoadAsync(quick, [TestMessages.Simple(0, $"q0.{quick}@example.org")]);
        await using var relay = new PausingRelay(bed.ImapsPort);
        var slowAccount = new AccountSpec("slow", new SourceEndpoint(MailProtocol.Imap, "127.0.0.1", relay.Port, TlsMode.Implicit, slow, ["INBOX"]), bed.Credentials, bed.Trust, ServerPolicy.Keep);
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observer = new HoldOnDownload("slow", relay, stalled);
        using var dir = new TempDirectory();
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        var run = new FetchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), Fetcher.FastOptions(), NullLogger.Instance, observer);

        Task<AccountReport> slowPass = run.FetchAccountAsync(slowAccount, CancellationToken.None);
        await stalled.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(300); // the FETCH is on its way; its answer is held

        Task<AccountReport> quickPass = run.FetchAccountAsync(Fetcher.Account(bed, bed.Imaps(quick)), CancellationToken.None);
        Task first = await Task.WhenAny(quickPass, Task.Delay(TimeSpan.FromSeconds(45)));
        bool slowWasStillStuck = !slowPass.IsCompleted;
        relay.Release();
        AccountReport slowReport = await slowPass.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(first == quickPass, "the quick account did not archive while the slow one was stuck in its download");
        Assert.True(slowWasStillStuck, "the slow account was not held (the test proves nothing)");
        AccountReport quickReport = await quickPass;
        Assert.Null(quickReport.Error);
        Assert.Null(slowReport.Error);
        Assert.Equal(1, quickReport.Fetched);
        Assert.Equal(1, slowReport.Fetched);
        Assert.Equal(2, archive.Index.CountMessages());
    }

    [Fact]
    public async Task Watch_never_runs_more_passes_against_one_server_than_the_cap_and_archives_every_account()
    {
        const int Accounts = 12, Cap = 3;
        var users = Enumerable.Range(0, Accounts).Select(_ => TestBedFixture.NewUser("fc")).ToList();
        foreach (string u in users)
            await bed.LoadAsync(u, [TestMessages.Simple(0, $"c0.{u}@example.org")]);
        var counter = new ConnectionCounter();
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, cts.Token);
        using var watch = new WatchRun(archive, a => counter.Wrap(MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust)), Fetcher.FastOptions(),
            new WatchOptions { UseIdle = false, PollInterval = TimeSpan.FromMinutes(10), MaxConnectionsPerServer = Cap, Heartbeat = TimeSpan.Zero }, NullLogger.Instance);
        Task running = watch.RunAsync([.. users.Select(u => Fetcher.Account(bed, bed.Imaps(u)))], cts.Token);

        var sw = Stopwatch.StartNew();
        while (archive.Layout is var layout && ArchiveCataloguer.ListFiles(layout).Count < Accounts && sw.Elapsed < TimeSpan.FromSeconds(120))
            await Task.Delay(100, cts.Token);
        await Task.Delay(500, cts.Token); // the last passes record their success
        await cts.CancelAsync();
        await running;

        Assert.Equal(Accounts, ArchiveCataloguer.ListFiles(new ArchiveLayout(dir.Path)).Count);
        Assert.True(counter.Most <= Cap, $"{counter.Most} connections at once, cap {Cap}");
        Assert.True(counter.Most >= 2, $"passes never overlapped ({counter.Most} at most): accounts ran one after the other");
        Assert.Equal(Accounts, counter.Opened);
    }

    /// <summary>Holds the relay's answers as soon as the slow account's download begins.</summary>
    private sealed class HoldOnDownload(string account, PausingRelay relay, TaskCompletionSource stalled) : IFetchObserver
    {
        public void MailboxStarted(string name, string mailbox, int messages, long bytes)
        {
            if (name == account && messages > 0)
            {
                relay.Hold();
                stalled.TrySetResult();
            }
        }

        public void MessageDone(string name, long bytes, bool fresh)
        {
        }
    }

    /// <summary>Counts the sources (connections) alive at once, from their connect to their disposal.</summary>
    private sealed class ConnectionCounter
    {
        private int alive;

        public int Most { get; private set; }

        public int Opened { get; private set; }

        public IMessageSource Wrap(IMessageSource inner) => new Counted(inner, this);

        private void Up()
        {
            lock (this)
            {
                alive++;
                Opened++;
                Most = Math.Max(Most, alive);
            }
        }

        private void Down()
        {
            lock (this)
                alive--;
        }

        private sealed class Counted(IMessageSource inner, ConnectionCounter counter) : IMessageSource
        {
            private bool connected;

            public SourceEndpoint Endpoint => inner.Endpoint;

            public async Task ConnectAsync(CancellationToken cancellationToken)
            {
                counter.Up();
                connected = true;
                await inner.ConnectAsync(cancellationToken);
            }

            public Task<IMailboxReader> OpenMailboxAsync(string mailbox, bool writable, CancellationToken cancellationToken) => inner.OpenMailboxAsync(mailbox, writable, cancellationToken);

            public Task CommitAsync(CancellationToken cancellationToken) => inner.CommitAsync(cancellationToken);

            public Task<bool> StartWatchingAsync(string mailbox, CancellationToken cancellationToken) => inner.StartWatchingAsync(mailbox, cancellationToken);

            public Task<bool> WaitForNewMailAsync(string mailbox, TimeSpan maxWait, CancellationToken cancellationToken) => inner.WaitForNewMailAsync(mailbox, maxWait, cancellationToken);

            public async ValueTask DisposeAsync()
            {
                await inner.DisposeAsync();
                if (connected)
                    counter.Down();
            }
        }
    }
}
