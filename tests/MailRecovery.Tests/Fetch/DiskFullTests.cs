using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Fetch;

/// <summary>A real full disk: the archive lives on a 2 MiB tmpfs (the tests run as root, as CI does).</summary>
[Collection(TestBedCollection.Name)]
public sealed class DiskFullTests(TestBedFixture bed)
{
    [Fact]
    public async Task A_full_disk_stops_the_fetch_says_so_and_deletes_nothing_unarchived()
    {
        string user = TestBedFixture.NewUser("full");
        byte[][] messages = Enumerable.Range(0, 12).Select(i => TestMessages.Simple(i, $"full{i}.{user}@example.org", body: new string((char)('a' + i), 300_000) + "\r\n")).ToArray();
        await bed.LoadAsync(user, messages);
        using var dir = new TempDirectory();
        string mount = dir.Sub("small");
        Directory.CreateDirectory(mount);
        await TestBedFixture.RunAsync("mount", $"-t tmpfs -o size=2m tmpfs {mount}");
        try
        {
            AccountSpec account = Fetcher.Account(bed, bed.Imaps(user), ServerPolicy.Delete);
            var full = await Fetcher.RunAsync(Path.Combine(mount, "archive"), account, Fetcher.FastOptions(batch: 2));

            MailRecoveryException error = Assert.IsType<MailRecoveryException>(full.Accounts[0].Error);
            Assert.Equal(FailureKind.LocalStorage, error.Kind);
            Assert.Contains("disk is full", error.Message + error.Fix, StringComparison.Ordinal);

            // Messages were removed from the server in this run: the message must not say none were.
            Assert.True(full.Accounts[0].Removed > 0);
            Assert.DoesNotContain("nothing was deleted", error.Fix, StringComparison.Ordinal);
            Assert.Contains("no message was deleted from a server before it was archived", error.Fix, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.TemporaryFailure, full.ExitCode);
            int archived = ArchiveSnapshot.Take(Path.Combine(mount, "archive")).FileHashes.Count;
            Assert.InRange(archived, 1, 11);

            // Only archived mail left the server. Some archived messages may still be there: their batch's
            // index commit hit the full disk, so they did not count as fetched and were not deleted.
            Assert.InRange(bed.CountMessages(user), messages.Length - archived, messages.Length - 1);

            await TestBedFixture.RunAsync("mount", $"-o remount,size=16m {mount}");
            var resumed = await Fetcher.RunAsync(Path.Combine(mount, "archive"), account);
            Assert.Equal(0, resumed.ExitCode);
            Assert.Equal(messages.Select(FetchImapTests.Sha).Order(StringComparer.Ordinal), ArchiveSnapshot.Take(Path.Combine(mount, "archive")).FileHashes);
            Assert.Equal(0, bed.CountMessages(user));
        }
        finally
        {
            await TestBedFixture.RunAsync("umount", mount);
        }
    }

    [Fact]
    public async Task An_unreachable_server_is_a_temporary_failure()
    {
        var endpoint = new SourceEndpoint(MailProtocol.Imap, "127.0.0.1", 1, TlsMode.Implicit, "nobody", ["INBOX"]);
        using var dir = new TempDirectory();

        var report = await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, endpoint));

        Assert.Equal(ExitCodes.TemporaryFailure, report.ExitCode);
        Assert.Equal(FailureKind.Transient, report.Accounts[0].Error!.Kind);
        Assert.Contains("cannot connect", report.Accounts[0].Error!.Message, StringComparison.Ordinal);
    }
}
