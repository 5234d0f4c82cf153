using MailRecovery.Core.Fetch;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// A pass that fails half-way is retried as a whole and lists again what the failed try archived: the report
/// counts each server message once (issue 11: 3,019 "already had" for a 2,000-message mailbox).
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class RetriedPassCountTests(TestBedFixture bed)
{
    [Fact]
    public async Task A_retried_pass_counts_each_message_once()
    {
        string user = TestBedFixture.NewUser("count");
        byte[][] messages = Enumerable.Range(0, 10).Select(i => TestMessages.Simple(i, $"count{i}.{user}@example.org")).ToArray();
        await bed.LoadAsync(user, messages);
        using var dir = new TempDirectory();
        int indexed = 0;

        // The connection breaks once, after the second batch is committed; the pass is retried and finishes.
        var options = Fetcher.FastOptions(step =>
        {
            if (step == FetchStep.Indexed && ++indexed == 2)
                throw new IOException("Connection reset by peer");
        }, batch: 2);
        FetchReport report = await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps(user)), options);

        AccountReport account = report.Accounts[0];
        Assert.Null(account.Error);
        Assert.Equal(10, account.Fetched);
        Assert.Equal(0, account.AlreadyHad);
        Assert.Equal(10, ArchiveSnapshot.Take(dir.Path).FileHashes.Count);
    }
}
