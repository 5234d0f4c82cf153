using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// Issue 11: damage is repaired, not hidden. A deleted or corrupted archive file whose message is still on the
/// server is downloaded again by the next fetch and put back (same name, same mtime, the server's bytes); one whose
/// message the server no longer has is reported lost with its index data.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class SelfRepairTests(TestBedFixture bed)
{
    [Theory]
    [InlineData("imap")]
    [InlineData("pop3")]
    public async Task A_deleted_and_a_corrupted_file_are_put_back_by_the_next_fetch(string protocol)
    {
        string user = TestBedFixture.NewUser("rp");
        await bed.LoadAsync(user, Enumerable.Range(0, 4).Select(i => TestMessages.Simple(i, $"rp{i}@example.org")));
        SourceEndpoint endpoint = protocol == "imap" ? bed.Imaps(user) : bed.Pop3s(user);
        using var dir = new TempDirectory();
        await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, endpoint));
        ArchiveSnapshot clean = ArchiveSnapshot.Take(dir.Path);
        var (_, flippedPath) = ArchiveDamager.Find(dir.Path, "test message 2");
        DateTime flippedMtime = File.GetLastWriteTimeUtc(flippedPath);

        ArchivedMessage deleted = ArchiveDamager.Delete(dir.Path, "test message 1");
        ArchiveDamager.FlipByte(dir.Path, "test message 2");
        FetchReport report = await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, endpoint));

        Assert.Equal(0, report.ExitCode);
        Assert.Equal(2, report.Repaired);
        Assert.Equal(0, report.Fetched);
        Assert.Equal(2, report.AlreadyHad);
        Assert.Empty(report.Accounts[0].Lost);
        ArchiveSnapshot.Take(dir.Path).AssertSameAs(clean); // the server's bytes again, each once
        var (row, path) = ArchiveDamager.Find(dir.Path, "test message 1");
        Assert.Equal(deleted.File, row.File);
        Assert.Equal(Path.Combine(dir.Path, "cur", deleted.File + ":2,"), path);
        Assert.Equal(deleted.Metadata.ReceivedAt.UtcDateTime, File.GetLastWriteTimeUtc(path));
        Assert.Equal(flippedMtime, File.GetLastWriteTimeUtc(ArchiveDamager.Find(dir.Path, "test message 2").Path));
        Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, "mailrecovery", "quarantine"))); // the flipped file, kept
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
        Assert.True((await ArchiveVerifier.VerifyAsync(archive, null, CancellationToken.None)).IsSound);
    }

    [Fact]
    public async Task A_missing_file_whose_message_the_server_no_longer_has_is_reported_lost_with_its_details()
    {
        string user = TestBedFixture.NewUser("rl");
        await bed.LoadAsync(user, Enumerable.Range(0, 3).Select(i => TestMessages.Simple(i, $"rl{i}@example.org")));
        using var dir = new TempDirectory();
        var account = Fetcher.Account(bed, bed.Imaps(user), ServerPolicy.Delete);
        await Fetcher.RunAsync(dir.Path, account);
        Assert.Equal(0, bed.CountMessages(user));

        ArchivedMessage deleted = ArchiveDamager.Delete(dir.Path, "test message 1");
        FetchReport report = await Fetcher.RunAsync(dir.Path, account);

        Assert.Equal(1, report.ExitCode);
        LostMessage lost = Assert.Single(report.Accounts[0].Lost);
        Assert.Equal(deleted.File, lost.File);
        Assert.Equal("rl1@example.org", lost.MessageId);
        Assert.Equal("test message 1", lost.Subject);
        Assert.Contains("sender1@example.org", lost.From, StringComparison.Ordinal);
        Assert.Equal(deleted.Metadata.ReceivedAt, lost.ReceivedAt);
        Assert.Contains("missing", lost.Reason, StringComparison.Ordinal);
    }
}
