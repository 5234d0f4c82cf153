using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// A fleet on one server, as the server sees it: Dovecot's own count of logged-in connections (<c>doveadm who</c>,
/// from its anvil process) never exceeds the cap watch was given for that host; and with one slot, passes go round
/// the accounts in turn, so none waits more than one turn of each of the others.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ConnectionCapsBedTests(TestBedFixture bed)
{
    [Fact]
    public async Task The_servers_own_count_of_a_fleets_connections_never_exceeds_the_hosts_cap()
    {
        const int Accounts = 8, Cap = 2;
        var users = Enumerable.Range(0, Accounts).Select(_ => TestBedFixture.NewUser("cw")).ToList();
        foreach (string u in users)
            await bed.LoadAsync(u, [TestMessages.Simple(0, $"w0.{u}@example.org")]);
        var options = new WatchOptions
        {
            UseIdle = false, // every pass opens and closes its own connection: the most churn a cap has to hold
            PollInterval = TimeSpan.FromMilliseconds(20),
            MaxConnectionsPerServer = 16,
            ConnectionCaps = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["127.0.0.1"] = Cap },
            Heartbeat = TimeSpan.Zero,
        };
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, cts.Token);
        using var watch = new WatchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), Fetcher.FastOptions(), options, NullLogger.Instance);
        Task running = watch.RunAsync([.. users.Select(u => Fetcher.Account(bed, bed.Imaps(u)))], cts.Token);

        // Sample Dovecot's list of logged-in connections while the accounts pass over and over.
        int most = 0, samples = 0;
        var fleet = users.ToHashSet(StringComparer.Ordinal);
        var sampling = System.Diagnostics.Stopwatch.StartNew();
        while (sampling.Elapsed < TimeSpan.FromSeconds(10))
        {
            string who = await TestBedFixture.RunAsync("doveadm", $"-c {bed.DovecotConf} who -1");
            int count = who.Split('\n').Count(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var user, "imap", ..] && fleet.Contains(user));
            most = Math.Max(most, count);
            samples++;
        }

        await cts.CancelAsync();
        await running;

        Assert.True(most <= Cap, $"Dovecot counted {most} connections of the fleet at once; the cap for 127.0.0.1 is {Cap}");
        Assert.True(most == Cap, $"Dovecot never saw {Cap} connections at once in {samples} samples (at most {most}): the test proves nothing");
        Assert.Equal(Accounts, ArchiveCataloguer.ListFiles(new ArchiveLayout(dir.Path)).Count);
    }

    [Fact]
    public async Task With_one_slot_every_account_gets_its_turn_within_one_round_of_the_others()
    {
        const int Accounts = 5;
        var users = Enumerable.Range(0, Accounts).Select(_ => TestBedFixture.NewUser("cf")).ToList();
        foreach (string u in users)
            await bed.LoadAsync(u, [TestMessages.Simple(0, $"f0.{u}@example.org")]);
        var order = new PassOrder();
        var options = new WatchOptions
        {
            UseIdle = false,
            PollInterval = TimeSpan.Zero, // each account queues for its next pass as soon as its pass ends: always more waiting than slots
            ConnectionCaps = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["127.0.0.1"] = 1 },
            Heartbeat = TimeSpan.Zero,
        };
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, cts.Token);
        using var watch = new WatchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), Fetcher.FastOptions(), options, NullLogger.Instance, order);
        Task running = watch.RunAsync([.. users.Select(u => Fetcher.Account(bed, bed.Imaps(u)))], cts.Token);

        // Mail keeps arriving for every account while they take turns.
        for (int round = 1; round <= 3 && !cts.IsCancellationRequested; round++)
        {
            await Task.Delay(1100, cts.Token); // LoadAsync names files by the second: a round in the same second as the last would overwrite it
            foreach (string u in users)
                await bed.LoadAsync(u, [TestMessages.Simple(round, $"f{round}.{u}@example.org")]);
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((order.Count < 12 * Accounts || ArchiveCataloguer.ListFiles(archive.Layout).Count < Accounts * 4) && waited.Elapsed < TimeSpan.FromSeconds(90))
            await Task.Delay(50, cts.Token);
        await cts.CancelAsync();
        await running;

        // Strict turns give each account every Accounts-th pass. An account asks again a few microseconds after giving
        // its slot back; one pass of slack covers a loaded machine descheduling it for longer than the next account's
        // whole pass. Without FIFO turns an account waits many rounds (ServerSlotsTests checks the exact order).
        List<string> passes = order.Snapshot();
        foreach (IGrouping<string, int> account in passes.Select((name, i) => (name, i)).GroupBy(p => p.name, p => p.i))
        {
            int[] at = [.. account];
            int worst = at.Zip(at.Skip(1), (a, b) => b - a).DefaultIfEmpty(0).Max();
            Assert.True(worst <= Accounts + 1, $"{account.Key} waited {worst - 1} passes of others for its turn: {string.Join(",", passes)}");
        }

        Assert.Equal(Accounts * 4, archive.Index.CountMessages());
    }

    /// <summary>The accounts in the order their passes began (inside the slot: a pass lists its mailbox first).</summary>
    private sealed class PassOrder : IFetchObserver
    {
        private readonly List<string> passes = [];

        public int Count
        {
            get
            {
                lock (passes)
                    return passes.Count;
            }
        }

        public List<string> Snapshot()
        {
            lock (passes)
                return [.. passes];
        }

        public void MailboxStarted(string account, string mailbox, int messages, long bytes)
        {
            lock (passes)
                passes.Add(account);
        }

        public void MessageDone(string account, long bytes, bool fresh)
        {
        }
    }
}
