using System.Security.Cryptography;
using System.Text.Json;
using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Replay;

/// <summary>Replay into a real Dovecot mailbox over IMAP APPEND.</summary>
[Collection(TestBedCollection.Name)]
public sealed class ImapReplayTests(TestBedFixture bed)
{
    private static readonly DateTimeOffset Base = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_window_lands_byte_exact_with_INTERNALDATE_and_a_second_run_appends_nothing()
    {
        var (archiveDir, messages, _) = await ArchiveOfAsync(6);
        using var dir = archiveDir;
        string target = TestBedFixture.NewUser("rt");

        // [Base+1h, Base+5h): messages 1..4 of 0..5 (message i is received at Base + i hours)
        var first = await ReplayCliAsync(dir.Path, target, "--since", Iso(Base.AddHours(1)), "--until", Iso(Base.AddHours(5)));
        var second = await ReplayCliAsync(dir.Path, target, "--since", Iso(Base.AddHours(1)), "--until", Iso(Base.AddHours(5)));

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(4, Json(first).GetProperty("delivered").GetInt32());
        Assert.Equal(0, Json(second).GetProperty("delivered").GetInt32());
        Assert.Equal(4, Json(second).GetProperty("skippedByJournal").GetInt32());
        var inTarget = await MailboxAsync(target);
        Assert.Equal(Enumerable.Range(1, 4).Select(i => Sha(messages[i])).Order(StringComparer.Ordinal), inTarget.Select(m => m.Sha).Order(StringComparer.Ordinal));
        Assert.All(inTarget, m => Assert.Equal(Base.AddHours(m.Index), m.InternalDate));
        Assert.All(inTarget, m => Assert.False(m.Seen));
    }

    [Fact]
    public async Task A_run_killed_after_an_intent_resumes_and_leaves_every_message_exactly_once()
    {
        var (archiveDir, messages, _) = await ArchiveOfAsync(5);
        using var dir = archiveDir;
        string target = TestBedFixture.NewUser("rk");
        var window = new ReplayWindow(Base, Base.AddDays(1), ReplayClock.Received);

        await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(dir.Path, target, window, new ReplayOptions
        {
            AfterIntent = n => { if (n == 3) throw new InvalidOperationException("killed"); },
        }));
        Assert.True((await MailboxAsync(target)).Count < 5); // killed before the batch (MULTIAPPEND) or the message went out

        ReplayReport resumed = await RunAsync(dir.Path, target, window, new ReplayOptions());

        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(5, resumed.Delivered + resumed.SkippedByJournal + resumed.AlreadyPresent);
        Assert.Equal(messages.Select(Sha).Order(StringComparer.Ordinal), (await MailboxAsync(target)).Select(m => m.Sha).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_delivery_whose_outcome_was_lost_is_found_in_the_mailbox_instead_of_sent_again()
    {
        var (archiveDir, messages, files) = await ArchiveOfAsync(3);
        using var dir = archiveDir;
        string target = TestBedFixture.NewUser("ru");
        var window = new ReplayWindow(Base, Base.AddDays(1), ReplayClock.Received);
        await RunAsync(dir.Path, target, window, new ReplayOptions());

        // As if the run had died after the APPEND succeeded but before its outcome was journaled.
        string journalKey = $"imap://{target}@127.0.0.1:{bed.ImapsPort}/INBOX";
        using (var journal = ReplayJournal.Open(Path.Combine(new ArchiveLayout(dir.Path).DataDir, "replay-journal.sqlite"), TimeProvider.System))
            journal.RecordIntent(journalKey, files[1], string.Empty);

        ReplayReport again = await RunAsync(dir.Path, target, window, new ReplayOptions());

        Assert.Equal(0, again.Delivered);
        Assert.Equal(1, again.AlreadyPresent);
        Assert.Equal(3, (await MailboxAsync(target)).Count);
    }

    [Fact]
    public async Task Window_edges_since_is_in_until_is_out_and_by_date_differs_from_by_received()
    {
        var (archiveDir, _, _) = await ArchiveOfAsync(4);
        using var dir = archiveDir;

        var received = Json(await DryRunAsync(dir.Path, "--since", Iso(Base.AddHours(1)), "--until", Iso(Base.AddHours(3))));
        var tokyo = Json(await DryRunAsync(dir.Path, "--since", "2026-11-20 10:00", "--until", "2026-11-20 12:00", "--tz", "Asia/Tokyo"));
        var byDate = Json(await DryRunAsync(dir.Path, "--since", Iso(Base.AddHours(1)), "--until", Iso(Base.AddHours(3)), "--by", "date"));

        Assert.Equal(2, received.GetProperty("selected").GetInt32()); // messages 1 and 2: 1 is at since, 3 at until
        Assert.Equal(Iso(Base.AddHours(1)), received.GetProperty("first").GetString());
        Assert.Equal(Iso(Base.AddHours(2)), received.GetProperty("last").GetString());
        Assert.Equal(received.GetProperty("selected").GetInt32(), tokyo.GetProperty("selected").GetInt32()); // 10:00 +09:00 = 01:00Z
        Assert.Equal("Asia/Tokyo", tokyo.GetProperty("timeZone").GetString());
        Assert.Equal(0, byDate.GetProperty("selected").GetInt32()); // every Date: header is a day earlier
    }

    private async Task<CliRunner.Result> ReplayCliAsync(string archive, string targetUser, params string[] window) =>
        await CliRunner.RunAsync(["replay", "--archive", archive, .. window, "--to", $"imaps://{targetUser}@127.0.0.1:{bed.ImapsPort}/INBOX",
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--yes", "--json"]);

    private static async Task<CliRunner.Result> DryRunAsync(string archive, params string[] window) =>
        // A file target that is never created: a dry run now checks its target, and this test is about the window.
        await CliRunner.RunAsync(["replay", "--archive", archive, .. window, "--to", "eml:" + Path.Combine(Path.GetTempPath(), $"never-created-{Guid.NewGuid():N}"), "--dry-run", "--json"]);

    private async Task<ReplayReport> RunAsync(string archiveDir, string targetUser, ReplayWindow window, ReplayOptions options)
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(archiveDir, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
        using ReplayJournal journal = ReplayJournal.Open(Path.Combine(archive.Layout.DataDir, "replay-journal.sqlite"), TimeProvider.System);
        await using var target = new ImapAppendTarget(bed.Imaps(targetUser), bed.Credentials, bed.Trust, markSeen: false);
        var plan = new ReplayPlan(window, TimeZoneInfo.Utc, ReplaySelector.Select(archive.Index, window, ReplayFilter.All));
        return await new ReplayRun(archive, journal, target, options, NullLogger.Instance).RunAsync(plan, CancellationToken.None);
    }

    /// <summary>An archive of n messages; message i was received at Base + i hours and is dated a day earlier.</summary>
    private async Task<(TempDirectory Dir, byte[][] Messages, string[] Files)> ArchiveOfAsync(int n)
    {
        string copy = TestBedFixture.NewUser("rc");
        byte[][] messages = Enumerable.Range(0, n).Select(i => TestMessages.Simple(i, $"r{i}.{copy}@example.org",
            received: Base.AddHours(i).ToString("ddd, dd MMM yyyy HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture),
            extraHeaders: "")).ToArray();
        await bed.LoadAsync(copy, messages);
        var dir = new TempDirectory();
        await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps(copy)));
        using ArchiveIndex index = ArchiveIndex.Open(new ArchiveLayout(dir.Path).IndexPath, readOnly: true);
        string[] files = index.AllMessages().OrderBy(m => m.Metadata.ReceivedAt).Select(m => m.File).ToArray();
        return (dir, messages, files);
    }

    private async Task<List<(string Sha, DateTimeOffset InternalDate, bool Seen, int Index)>> MailboxAsync(string user)
    {
        using var client = new ImapClient { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync("127.0.0.1", bed.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(user, bed.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var list = new List<(string, DateTimeOffset, bool, int)>();
        if (client.Inbox.Count == 0)
            return list;
        foreach (IMessageSummary s in await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.InternalDate | MessageSummaryItems.Flags | MessageSummaryItems.Envelope))
        {
            using Stream stream = await client.Inbox.GetStreamAsync(s.UniqueId, string.Empty);
            string sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
            int index = int.Parse(s.Envelope!.MessageId!.Split('.')[0][1..], System.Globalization.CultureInfo.InvariantCulture);
            list.Add((sha, s.InternalDate!.Value, s.Flags!.Value.HasFlag(MessageFlags.Seen), index));
        }

        return list;
    }

    private static JsonElement Json(CliRunner.Result r) => JsonDocument.Parse(r.Out).RootElement.Clone();

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));
}
