using System.Security.Cryptography;
using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Replay;

/// <summary>
/// Issue 10: an IMAP target server that goes away in the middle of a replay. ImapAppendTarget reconnected outside
/// any try, so what the reconnect threw escaped as a raw exception (a stack trace, exit 1). Now it is classified
/// where it happens: the run stops with exit 75, and a rerun completes with every message there exactly once.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class TargetGoneTests(TestBedFixture bed)
{
    private static readonly DateTimeOffset Base = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_reconnect_to_a_server_that_is_gone_is_a_classified_transient_failure_of_the_target()
    {
        var (dir, _) = await ArchiveOfAsync(2);
        using (dir)
        {
            await using var relay = new TcpRelay(bed.ImapsPort);
            string user = TestBedFixture.NewUser("tg");
            using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
            ReplayItem[] items = archive.Index.AllMessages().OrderBy(m => m.Metadata.ReceivedAt)
                .Select(m => new ReplayItem(m, archive.Layout.Resolve(m.File)!)).ToArray();
            await using var target = new ImapAppendTarget(Through(relay, user), bed.Credentials, bed.Trust, markSeen: false);
            await target.OpenAsync(CancellationToken.None);

            relay.Stop();

            // The connection dies under the first APPEND: maybe stored, so uncertain (and MailKit drops the client).
            var first = await Assert.ThrowsAsync<DeliveryException>(() => target.DeliverAsync(items[0], CancellationToken.None));
            Assert.Equal(DeliveryOutcome.Uncertain, first.Outcome);
            Assert.Equal(FailureKind.Uncertain, first.Kind);

            // The second must reconnect, and the server refuses: the target's failure, classified, not a raw exception.
            var second = await Assert.ThrowsAsync<MailRecoveryException>(() => target.DeliverAsync(items[1], CancellationToken.None));
            Assert.IsNotType<DeliveryException>(second);
            Assert.Equal(FailureKind.Transient, second.Kind);
            Assert.Equal(FailureScope.Account, second.Scope);
            Assert.Equal(ExitCodes.TemporaryFailure, ExitCodes.For(second));
        }
    }

    [Fact]
    public async Task A_server_gone_mid_replay_exits_75_and_a_rerun_completes_exactly_once()
    {
        var (dir, messages) = await ArchiveOfAsync(6);
        using (dir)
        {
            await using var relay = new TcpRelay(bed.ImapsPort);
            string user = TestBedFixture.NewUser("tg");
            var window = new ReplayWindow(Base, Base.AddDays(1), ReplayClock.Received);

            // A rate turns MULTIAPPEND off, so the server goes away between two single APPENDs.
            ReplayReport broken = await RunAsync(dir.Path, relay, user, window, new ReplayOptions
            {
                MessagesPerSecond = 1000,
                AfterIntent = n => { if (n == 3) relay.Stop(); },
            });

            Assert.Equal(ExitCodes.TemporaryFailure, broken.ExitCode);
            Assert.NotNull(broken.StoppedBy);
            Assert.True(broken.Delivered < 6);

            relay.Restart();
            ReplayReport rerun = await RunAsync(dir.Path, relay, user, window, new ReplayOptions());

            Assert.Equal(ExitCodes.Ok, rerun.ExitCode);
            Assert.Equal(messages.Select(Sha).Order(StringComparer.Ordinal), (await MailboxAsync(user)).Order(StringComparer.Ordinal));
        }
    }

    private static SourceEndpoint Through(TcpRelay relay, string user) =>
        new(MailProtocol.Imap, "127.0.0.1", relay.Port, TlsMode.Implicit, user, ["INBOX"]);

    private async Task<ReplayReport> RunAsync(string archiveDir, TcpRelay relay, string user, ReplayWindow window, ReplayOptions options)
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(archiveDir, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
        using ReplayJournal journal = ReplayJournal.Open(Path.Combine(archive.Layout.DataDir, "replay-journal.sqlite"), TimeProvider.System);
        await using var target = new ImapAppendTarget(Through(relay, user), bed.Credentials, bed.Trust, markSeen: false);
        var plan = new ReplayPlan(window, TimeZoneInfo.Utc, ReplaySelector.Select(archive.Index, window, ReplayFilter.All));
        return await new ReplayRun(archive, journal, target, options, NullLogger.Instance).RunAsync(plan, CancellationToken.None);
    }

    private async Task<(TempDirectory Dir, byte[][] Messages)> ArchiveOfAsync(int n)
    {
        string copy = TestBedFixture.NewUser("tc");
        byte[][] messages = Enumerable.Range(0, n).Select(i => TestMessages.Simple(i, $"g{i}.{copy}@example.org",
            received: Base.AddHours(i).ToString("ddd, dd MMM yyyy HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture),
            extraHeaders: "")).ToArray();
        await bed.LoadAsync(copy, messages);
        var dir = new TempDirectory();
        await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps(copy)));
        return (dir, messages);
    }

    private async Task<List<string>> MailboxAsync(string user)
    {
        using var client = new ImapClient { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync("127.0.0.1", bed.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(user, bed.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var list = new List<string>();
        for (int i = 0; i < client.Inbox.Count; i++)
        {
            using Stream stream = await client.Inbox.GetStreamAsync(i, string.Empty);
            list.Add(Convert.ToHexStringLower(await SHA256.HashDataAsync(stream)));
        }

        return list;
    }

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));
}
