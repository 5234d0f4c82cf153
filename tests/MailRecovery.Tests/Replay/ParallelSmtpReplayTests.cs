using System.Diagnostics;
using System.Globalization;
using System.Text;
using MailKit;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Replay;

/// <summary>
/// <c>replay --connections N</c> to SMTP through the bed's Postfix (which hands the mail to Dovecot over LMTP):
/// several sessions deliver at once, and every message still arrives exactly once.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ParallelSmtpReplayTests(TestBedFixture bed)
{
    private static readonly DateTimeOffset Base = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReplayWindow Window = new(Base, Base.AddDays(1), ReplayClock.Received);

    [Fact]
    public async Task Four_connections_deliver_200_messages_each_exactly_once_and_a_second_run_sends_nothing()
    {
        using TempDirectory dir = await ArchiveOfAsync(200);
        string target = TestBedFixture.NewUser("ps");
        using var log = new MemoryStream();

        ReplayReport first = await RunAsync(dir.Path, target, new ReplayOptions(), connections: 4, new ProtocolLogger(log, leaveOpen: true));
        ReplayReport second = await RunAsync(dir.Path, target, new ReplayOptions(), connections: 4);

        Assert.Equal((200, 0, 0, 0), (first.Delivered, first.Failed.Count, first.Uncertain.Count, first.TryLater.Count));
        Assert.Equal((0, 200), (second.Delivered, second.SkippedByJournal));

        // Four sessions really delivered side by side (one connection would have logged one "Connected to").
        string conversation = Encoding.UTF8.GetString(log.ToArray());
        Assert.Equal(4, conversation.Split('\n').Count(l => l.StartsWith("Connected to", StringComparison.Ordinal)));

        // Every outcome reached the journal: nothing is left as an intent that a later run would call uncertain.
        using (var journal = ReplayJournal.Open(new ArchiveLayout(dir.Path).JournalPath, TimeProvider.System))
            Assert.All(journal.Load(JournalKey(target)).Values, e => Assert.Equal(JournalState.Delivered, e.State));
        await AssertEachOnceAsync(dir.Path, target);
    }

    [Fact]
    public async Task Rate_is_one_limit_across_all_connections()
    {
        using TempDirectory dir = await ArchiveOfAsync(40);
        string target = TestBedFixture.NewUser("pr");

        ReplayReport report = await RunAsync(dir.Path, target, new ReplayOptions { MessagesPerSecond = 20 }, connections: 4);

        // The 40th starts no earlier than 39/20 = 1.95 s after the first, whatever the number of connections.
        Assert.Equal(40, report.Delivered);
        Assert.True(report.Elapsed >= TimeSpan.FromSeconds(1.9), $"40 messages at 20/s took {report.Elapsed.TotalSeconds:0.00} s");
        await AssertEachOnceAsync(dir.Path, target);
    }

    /// <summary>
    /// A server that takes only two connections from us and greets more with 421: a refused start is "try later",
    /// retried in the run (which meanwhile keeps fewer deliveries in flight and reuses the sessions that work) or
    /// by the next run; nothing fails, nothing is uncertain, and every message arrives once. (How fast the run backs
    /// off is AdaptiveConcurrencyTests' part: on a loaded machine a few may still run out of retries here.)
    /// </summary>
    [Fact]
    public async Task A_server_that_refuses_extra_connections_with_421_loses_and_duplicates_nothing()
    {
        using TempDirectory dir = await ArchiveOfAsync(30);
        string target = TestBedFixture.NewUser("pd");
        await using var cap = new SmtpConnectionCap(bed.SmtpPort, 2);
        ReplayReport capped = await RunAsync(dir.Path, target, new ReplayOptions { RetryDelay = TimeSpan.FromMilliseconds(200) }, connections: 8, port: cap.Port);
        int refused = cap.Refused;
        cap.Cap = 100; // the server recovers; the same port, so the same journal key
        ReplayReport next = await RunAsync(dir.Path, target, new ReplayOptions(), connections: 8, port: cap.Port);

        Assert.True(refused > 0, "the cap never refused a connection: the test proves nothing");
        Assert.Equal((0, 0), (capped.Failed.Count, capped.Uncertain.Count));
        Assert.Equal(30, capped.Delivered + capped.TryLater.Count);
        Assert.Equal((capped.TryLater.Count, capped.Delivered), (next.Delivered, next.SkippedByJournal));
        await AssertEachOnceAsync(dir.Path, target);
    }

    /// <summary>
    /// The crash model with N deliveries in flight: a kill -9 leaves up to N intents without outcome; the next run
    /// with <c>--check-in</c> settles each by looking, so every message is in the mailbox exactly once.
    /// </summary>
    [Fact]
    public async Task Killed_with_four_deliveries_in_flight_then_rerun_with_check_in_leaves_every_message_exactly_once()
    {
        using TempDirectory dir = await ArchiveOfAsync(200);
        string target = TestBedFixture.NewUser("pk");
        string[] replay = ["replay", "--archive", dir.Path, "--since", Base.ToString("O", CultureInfo.InvariantCulture),
            "--until", Base.AddDays(1).ToString("O", CultureInfo.InvariantCulture), "--to", $"smtp://127.0.0.1:{bed.SmtpPort}",
            "--rcpt", $"{target}@example.test", "--ca-file", bed.CaFile, "--connections", "4", "--yes", "--json"];

        using (Process killed = CliRunner.Start(null, [.. replay, "--rate", "40/s"]))
        {
            await bed.WaitForMessagesAsync(target, 30, TimeSpan.FromSeconds(60));
            killed.Kill(); // SIGKILL: no journal write after this point
            await killed.WaitForExitAsync();
        }

        // Let Postfix's queue drain, so that the check-in listing sees what the killed run handed over.
        await SettledCountAsync(target);
        int unfinished;
        using (var journal = ReplayJournal.Open(new ArchiveLayout(dir.Path).JournalPath, TimeProvider.System))
            unfinished = journal.Load(JournalKey(target)).Values.Count(e => e.State == JournalState.Intent);
        Assert.InRange(unfinished, 0, 4);

        var rerun = await CliRunner.RunAsync([.. replay, "--check-in", $"imaps://{target}@127.0.0.1:{bed.ImapsPort}/INBOX", "--check-in-password-file", bed.PasswordFile]);

        Assert.True(rerun.ExitCode == 0, rerun.Out + rerun.Error);
        await AssertEachOnceAsync(dir.Path, target);
    }

    private string JournalKey(string targetUser) => $"smtp://127.0.0.1:{bed.SmtpPort} rcpt={targetUser}@example.test";

    private async Task<ReplayReport> RunAsync(string archiveDir, string targetUser, ReplayOptions options, int connections, IProtocolLogger? logger = null, int? port = null)
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(archiveDir, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
        using ReplayJournal journal = ReplayJournal.Open(archive.Layout.JournalPath, TimeProvider.System);
        await using var target = new SmtpTarget($"smtp://127.0.0.1:{port ?? bed.SmtpPort}", [$"{targetUser}@example.test"], null, false, bed.Credentials,
            bed.Trust, false, TimeProvider.System, logger, connections);
        var plan = new ReplayPlan(Window, TimeZoneInfo.Utc, ReplaySelector.Select(archive.Index, Window, ReplayFilter.All));
        return await new ReplayRun(archive, journal, target, options, NullLogger.Instance).RunAsync(plan, CancellationToken.None);
    }

    /// <summary>The mailbox holds each archived message once, by Message-ID and by fingerprint, and nothing else.</summary>
    private async Task AssertEachOnceAsync(string archiveDir, string targetUser)
    {
        List<ArchivedMessage> archived;
        using (ArchiveIndex index = ArchiveIndex.Open(new ArchiveLayout(archiveDir).IndexPath, readOnly: true))
            archived = index.AllMessages().ToList();
        await bed.WaitForMessagesAsync(targetUser, archived.Count, TimeSpan.FromSeconds(60));
        await SettledCountAsync(targetUser);
        List<HelpdeskImapAccount.Message> mailbox = await new HelpdeskImapAccount(bed, targetUser).ListAsync();
        Assert.Equal(archived.Select(m => m.Metadata.MessageId).Order(StringComparer.Ordinal), mailbox.Select(m => m.MessageId).Order(StringComparer.Ordinal));
        Assert.Equal(archived.Select(m => m.Fingerprint).Order(StringComparer.Ordinal), mailbox.Select(m => m.Fingerprint).Order(StringComparer.Ordinal));
    }

    /// <summary>Waits until the mailbox's count has not changed for two seconds (Postfix's queue is empty for this user).</summary>
    private async Task SettledCountAsync(string user)
    {
        int last = -1;
        var quiet = Stopwatch.StartNew();
        var overall = Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromSeconds(2) && overall.Elapsed < TimeSpan.FromSeconds(60))
        {
            int now = bed.CountMessages(user);
            if (now != last)
            {
                last = now;
                quiet.Restart();
            }

            await Task.Delay(100);
        }
    }

    /// <summary>An archive of n messages with distinct Message-IDs; message i was received at Base + i minutes.</summary>
    private async Task<TempDirectory> ArchiveOfAsync(int n)
    {
        string copy = TestBedFixture.NewUser("pc");
        byte[][] messages = Enumerable.Range(0, n).Select(i => TestMessages.Simple(i, $"p{i}.{copy}@example.org",
            received: Base.AddMinutes(i).ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture))).ToArray();
        await bed.LoadAsync(copy, messages);
        var dir = new TempDirectory();
        await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps(copy)));
        return dir;
    }
}
