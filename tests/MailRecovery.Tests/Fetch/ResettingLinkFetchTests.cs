using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// Issue 11: a link that resets every 5 MB archived 0 of 2,000 messages in 48 connections, because a batch
/// (≤ 200 messages / 32 MiB) was thrown away when its download broke. Scaled down: 200 messages of 60 KB through a
/// proxy that resets after every 2 MB it sends to the client. The messages complete before each reset are kept,
/// so every run archives more, and the runs end with every message archived exactly once.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ResettingLinkFetchTests(TestBedFixture bed)
{
    private const int Count = 200;
    private const int Size = 60 * 1024;
    private const long ResetEvery = 2L * 1024 * 1024;

    [Theory]
    [InlineData(MailProtocol.Imap)]
    [InlineData(MailProtocol.Pop3)]
    public async Task A_link_that_resets_every_few_megabytes_archives_more_each_run_and_everything_once_in_the_end(MailProtocol protocol)
    {
        string user = TestBedFixture.NewUser("rl");
        byte[][] messages = Enumerable.Range(0, Count).Select(i => TestMessages.Large(Size, $"rl{i}.{user}@example.org")).ToArray();
        await bed.LoadAsync(user, messages);
        var expected = messages.Select(FetchImapTests.Sha).Order(StringComparer.Ordinal).ToList();

        bool imap = protocol == MailProtocol.Imap;
        await using var proxy = new ResettingProxy(imap ? bed.ImapsPort : bed.Pop3sPort, ResetEvery, ResetDirection.ToClient);
        var endpoint = new SourceEndpoint(protocol, "127.0.0.1", proxy.Port, TlsMode.Implicit, user, imap ? ["INBOX"] : []);

        // POP3 with the delete policy: what a broken run archived is deleted by a later one, never before.
        AccountSpec account = Fetcher.Account(bed, endpoint, imap ? ServerPolicy.Keep : ServerPolicy.Delete);
        using var dir = new TempDirectory();

        var archived = new List<int>();
        FetchReport report;
        do
        {
            report = await Fetcher.RunAsync(dir.Path, account); // one retry: two connections a run
            archived.Add(ArchiveSnapshot.Take(dir.Path).IndexHashes.Count);
        }
        while (report.ExitCode != 0 && archived.Count < 15);

        Assert.True(report.ExitCode == 0, $"after {archived.Count} runs ({string.Join(", ", archived)} archived): {report.Accounts[0].Error?.Message}");
        Assert.True(proxy.Resets >= 3, $"the link reset only {proxy.Resets} times: the test proves nothing");
        Assert.True(archived.Count >= 2, "one run was enough: the test proves nothing");

        // Every run that failed archived more than the one before it.
        for (int i = 0; i < archived.Count - 1; i++)
            Assert.True(archived[i] > (i == 0 ? 0 : archived[i - 1]), $"run {i + 1} archived nothing new: {string.Join(", ", archived)}");

        var snapshot = ArchiveSnapshot.Take(dir.Path);
        Assert.Equal(expected, snapshot.FileHashes);
        Assert.Equal(expected, snapshot.IndexHashes);
        Assert.Equal(0, snapshot.TmpFiles);
        if (!imap)
            Assert.Equal(0, bed.CountMessages(user));
    }
}
