using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Replay;

/// <summary><c>replay --check-in</c>: an LMTP replay that looks in the mailbox it delivers to, on the real bed.</summary>
[Collection(TestBedCollection.Name)]
public sealed class CheckInTests(TestBedFixture bed)
{
    private static readonly DateTimeOffset Base = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly ReplayWindow Window = new(Base, Base.AddDays(1), ReplayClock.Received);

    [Fact]
    public async Task Unfinished_LMTP_deliveries_are_settled_by_looking_and_every_message_arrives_exactly_once()
    {
        using TempDirectory dir = await ArchiveOfAsync(5);
        string target = TestBedFixture.NewUser("ci");
        string[] files = Files(dir.Path);

        // Killed after the third intent: 1 and 2 went through, 3 never left. Then, as if the outcomes of 1 and 2
        // had been lost too (a kill between the hand-over and the journal), all three are intents without outcome.
        await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(dir.Path, target, checkIn: false, new ReplayOptions
        {
            AfterIntent = n => { if (n == 3) throw new InvalidOperationException("killed"); },
        }));
        using (var journal = ReplayJournal.Open(new ArchiveLayout(dir.Path).JournalPath, TimeProvider.System))
        {
            foreach (string file in files[..2])
                journal.RecordIntent($"lmtp://127.0.0.1:{bed.LmtpPort} rcpt={target}@example.test", file, string.Empty);
        }

        Assert.Equal(2, (await new HelpdeskImapAccount(bed, target).ListAsync()).Count);

        ReplayReport blind = await RunAsync(dir.Path, target, checkIn: false, new ReplayOptions());
        ReplayReport settled = await RunAsync(dir.Path, target, checkIn: true, new ReplayOptions());
        foreach (string suffix in new[] { string.Empty, "-wal", "-shm" })
            File.Delete(new ArchiveLayout(dir.Path).JournalPath + suffix);
        ReplayReport lostJournal = await RunAsync(dir.Path, target, checkIn: true, new ReplayOptions());

        Assert.Equal((2, 3), (blind.Delivered, blind.Uncertain.Count)); // without looking: 4 and 5, and three guesses left to the operator
        Assert.Equal((1, 2, 0), (settled.Delivered, settled.AlreadyPresent, settled.Uncertain.Count)); // 3 sent, 1 and 2 found
        Assert.Equal(ExitCodes.Ok, settled.ExitCode);
        Assert.Equal((0, 5), (lostJournal.Delivered, lostJournal.AlreadyPresent));
        List<HelpdeskImapAccount.Message> mailbox = await new HelpdeskImapAccount(bed, target).ListAsync();
        Assert.Equal(Fingerprints(dir.Path), mailbox.Select(m => m.Fingerprint).Order(StringComparer.Ordinal));
        Assert.All(mailbox, m => Assert.False(m.Seen)); // looking set no flag
    }

    [Fact]
    public void Check_in_is_refused_for_a_target_that_looks_for_itself()
    {
        var options = new ReplayTargetOptions(null, null, false, [], null, false, false) { CheckIn = "imaps://someone@127.0.0.1/INBOX" };

        var e = Assert.Throws<MailRecoveryException>(() => ReplayTargetFactory.Create("maildir:/tmp/x", options, TimeProvider.System));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("--check-in", e.Message, StringComparison.Ordinal);
    }

    private async Task<ReplayReport> RunAsync(string archiveDir, string targetUser, bool checkIn, ReplayOptions options)
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(archiveDir, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
        using ReplayJournal journal = ReplayJournal.Open(archive.Layout.JournalPath, TimeProvider.System);
        var targetOptions = new ReplayTargetOptions(null, bed.CaFile, false, [$"{targetUser}@example.test"], null, false, false)
        {
            CheckIn = checkIn ? $"imaps://{targetUser}@127.0.0.1:{bed.ImapsPort}/INBOX" : null,
            CheckInPasswordFile = bed.PasswordFile,
        };
        await using IReplayTarget target = ReplayTargetFactory.Create($"lmtp://127.0.0.1:{bed.LmtpPort}", targetOptions, TimeProvider.System);
        var plan = new ReplayPlan(Window, TimeZoneInfo.Utc, ReplaySelector.Select(archive.Index, Window, ReplayFilter.All));
        return await new ReplayRun(archive, journal, target, options, NullLogger.Instance).RunAsync(plan, CancellationToken.None);
    }

    /// <summary>An archive of n messages; message i was received at Base + i hours.</summary>
    private async Task<TempDirectory> ArchiveOfAsync(int n)
    {
        string copy = TestBedFixture.NewUser("cc");
        byte[][] messages = Enumerable.Range(0, n).Select(i => TestMessages.Simple(i, $"c{i}.{copy}@example.org",
            received: Base.AddHours(i).ToString("ddd, dd MMM yyyy HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        await bed.LoadAsync(copy, messages);
        var dir = new TempDirectory();
        await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps(copy)));
        return dir;
    }

    private static string[] Files(string archive)
    {
        using ArchiveIndex index = ArchiveIndex.Open(new ArchiveLayout(archive).IndexPath, readOnly: true);
        return index.AllMessages().OrderBy(m => m.Metadata.ReceivedAt).Select(m => m.File).ToArray();
    }

    private static List<string> Fingerprints(string archive)
    {
        using ArchiveIndex index = ArchiveIndex.Open(new ArchiveLayout(archive).IndexPath, readOnly: true);
        return index.AllMessages().Select(m => m.Fingerprint!).Order(StringComparer.Ordinal).ToList();
    }
}
