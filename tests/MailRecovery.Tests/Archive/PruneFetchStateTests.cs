using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Archive;

/// <summary>What the fetch state does with pruned messages the server still has: never a second download, and the delete-older-than policy still applies to them.</summary>
[Collection(TestBedCollection.Name)]
public sealed class PruneFetchStateTests(TestBedFixture bed)
{
    [Fact]
    public async Task After_a_UIDVALIDITY_change_pruned_messages_are_linked_again_not_downloaded()
    {
        using var dir = new TempDirectory();
        string archive = dir.Sub("archive");
        var (user, _, recentIds) = await PruneFixture.ArchiveAsync(bed, archive, "pfu");
        Assert.Equal(0, (await CliRunner.RunAsync("archive", "prune", "--archive", archive, "--older-than", "60")).ExitCode);

        await bed.DoveadmAsync($"mailbox update -u {user} --uid-validity 4242 INBOX");
        FetchReport after = await Fetcher.RunAsync(archive, Fetcher.Account(bed, bed.Imaps(user)));

        Assert.Equal(0, after.Fetched);
        Assert.Equal(recentIds.Order(StringComparer.Ordinal), PruneFixture.IndexedIds(archive));
        Assert.Equal(PruneFixture.Recent, PruneFixture.FileCount(archive));
    }

    [Fact]
    public async Task The_delete_older_than_policy_still_deletes_pruned_messages_on_the_server()
    {
        using var dir = new TempDirectory();
        string archive = dir.Sub("archive");
        var (user, _, _) = await PruneFixture.ArchiveAsync(bed, archive, "pfd");
        Assert.Equal(0, (await CliRunner.RunAsync("archive", "prune", "--archive", archive, "--older-than", "60")).ExitCode);

        FetchReport fetch = await Fetcher.RunAsync(archive, Fetcher.Account(bed, bed.Imaps(user), new ServerPolicy(ServerPolicyMode.DeleteOlderThan, 50)));

        Assert.Equal(0, fetch.ExitCode);
        Assert.Equal(PruneFixture.Old, fetch.Accounts.Sum(a => a.Removed));
        Assert.Equal(PruneFixture.Recent, bed.CountMessages(user));
    }
}
