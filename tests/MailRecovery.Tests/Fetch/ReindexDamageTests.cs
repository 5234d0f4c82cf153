using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// Issue 11: <c>archive reindex</c> never hides damage (a changed file is quarantined, a missing file's row kept, so
/// the next fetch puts both back), and a garbage <c>index.sqlite</c> is named as such and rebuilt by reindex, after
/// which a fetch stores nothing twice.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ReindexDamageTests(TestBedFixture bed)
{
    [Fact]
    public async Task Reindex_quarantines_a_changed_file_keeps_a_missing_files_row_and_fetch_puts_both_back()
    {
        string user = TestBedFixture.NewUser("rq");
        await bed.LoadAsync(user, Enumerable.Range(0, 3).Select(i => TestMessages.Simple(i, $"rq{i}@example.org")));
        using var dir = new TempDirectory();
        var account = Fetcher.Account(bed, bed.Imaps(user));
        await Fetcher.RunAsync(dir.Path, account);
        ArchiveSnapshot clean = ArchiveSnapshot.Take(dir.Path);
        ArchivedMessage flipped = ArchiveDamager.FlipByte(dir.Path, "test message 0");
        ArchivedMessage deleted = ArchiveDamager.Delete(dir.Path, "test message 1");

        ReindexReport report;
        using (MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.Rebuild, TimeProvider.System, CancellationToken.None))
        {
            report = await ArchiveReindexer.ReindexAsync(archive, null, CancellationToken.None);
            Assert.Equal(3, archive.Index.CountMessages());
            Assert.Contains(archive.Index.AllMessages(), m => m.File == flipped.File && m.Sha256 == flipped.Sha256);
        }

        Assert.Equal(1, report.Indexed);
        QuarantinedFile q = Assert.Single(report.Quarantined);
        Assert.Equal(flipped.File, q.File);
        string quarantine = Path.Combine(dir.Path, "mailrecovery", "quarantine");
        Assert.Equal(quarantine, Path.GetDirectoryName(q.MovedTo));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(quarantine));
        Assert.Equal(new[] { deleted.File, flipped.File }.Order(StringComparer.Ordinal), report.Damaged.Select(d => d.File).Order(StringComparer.Ordinal));
        using (MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None))
        {
            VerifyReport verify = await ArchiveVerifier.VerifyAsync(archive, null, CancellationToken.None);
            Assert.Equal(["missing-file", "missing-file"], verify.Problems.Select(p => p.Kind));
        }

        FetchReport fetch = await Fetcher.RunAsync(dir.Path, account);

        Assert.Equal(2, fetch.Repaired);
        ArchiveSnapshot.Take(dir.Path).AssertSameAs(clean);
    }

    [Theory]
    [InlineData("imap")]
    [InlineData("pop3")]
    public async Task A_garbage_index_is_named_rebuilt_by_reindex_and_the_next_fetch_stores_nothing_twice(string protocol)
    {
        string user = TestBedFixture.NewUser("rg");
        await bed.LoadAsync(user, Enumerable.Range(0, 3).Select(i => TestMessages.Simple(i, $"rg{i}@example.org")));
        using var dir = new TempDirectory();
        var account = Fetcher.Account(bed, protocol == "imap" ? bed.Imaps(user) : bed.Pop3s(user));
        await Fetcher.RunAsync(dir.Path, account);
        ArchiveSnapshot clean = ArchiveSnapshot.Take(dir.Path);
        var layout = new ArchiveLayout(dir.Path);
        foreach (string f in Directory.GetFiles(layout.DataDir, "index.sqlite-*"))
            File.Delete(f);
        File.WriteAllBytes(layout.IndexPath, System.Security.Cryptography.RandomNumberGenerator.GetBytes(8192));

        var refused = await Assert.ThrowsAsync<MailRecoveryException>(() => Fetcher.RunAsync(dir.Path, account));
        Assert.Contains("is damaged", refused.Message, StringComparison.Ordinal);
        Assert.Contains("file is not a database", refused.Message, StringComparison.Ordinal);
        Assert.Contains("mailrecovery archive reindex", refused.Fix, StringComparison.Ordinal);

        using (MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.Rebuild, TimeProvider.System, CancellationToken.None))
        {
            ReindexReport report = await ArchiveReindexer.ReindexAsync(archive, null, CancellationToken.None);
            Assert.Equal(3, report.Indexed);
            Assert.NotNull(report.IndexMovedAside);
            Assert.True(File.Exists(report.IndexMovedAside));
        }

        FetchReport fetch = await Fetcher.RunAsync(dir.Path, account);

        Assert.Equal(0, fetch.ExitCode);
        Assert.Equal(0, fetch.Fetched);
        Assert.Equal(3, fetch.AlreadyHad);
        ArchiveSnapshot.Take(dir.Path).AssertSameAs(clean);
        FetchReport again = await Fetcher.RunAsync(dir.Path, account);
        Assert.Equal(3, again.AlreadyHad); // the fetch state was re-learnt
    }
}
