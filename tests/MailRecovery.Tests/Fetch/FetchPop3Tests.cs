using MailKit.Net.Pop3;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Fetch;

[Collection(TestBedCollection.Name)]
public sealed class FetchPop3Tests(TestBedFixture bed)
{
    [Theory]
    [InlineData(TlsMode.Implicit)]
    [InlineData(TlsMode.StartTls)]
    public async Task Mail_sent_through_the_alias_arrives_over_POP3_and_keep_leaves_it_on_the_server(TlsMode tls)
    {
        string tag = TestBedFixture.NewUser("p");
        for (int i = 0; i < 3; i++)
            await bed.SendAsync($"support-{tag}@example.test", $"pop3 alias test {i}");
        await bed.WaitForMessagesAsync($"safety-{tag}", 3);
        SourceEndpoint endpoint = tls == TlsMode.Implicit ? bed.Pop3s($"safety-{tag}") : bed.Pop3StartTls($"safety-{tag}");
        using var dir = new TempDirectory();

        var first = await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, endpoint));
        var second = await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, endpoint));

        Assert.Equal(3, first.Fetched);
        Assert.Equal(0, second.Fetched);
        Assert.Equal(3, second.AlreadyHad);
        List<byte[]> onServer = await ServerBytesAsync(endpoint);
        Assert.Equal(3, onServer.Count);
        Assert.Equal(onServer.Select(FetchImapTests.Sha).Order(StringComparer.Ordinal), ArchiveSnapshot.Take(dir.Path).FileHashes);
    }

    [Fact]
    public async Task Delete_policy_empties_the_POP3_mailbox_of_archived_mail_only()
    {
        string user = TestBedFixture.NewUser("pd");
        await bed.LoadAsync(user, Enumerable.Range(0, 7).Select(i => TestMessages.Simple(i, $"pd{i}@example.org")));
        using var dir = new TempDirectory();

        var report = await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Pop3s(user), ServerPolicy.Delete), Fetcher.FastOptions(batch: 3));

        Assert.Equal(7, report.Fetched);
        Assert.Equal(7, report.Accounts[0].Removed);
        Assert.Equal(0, bed.CountMessages(user));
        Assert.Equal(7, ArchiveSnapshot.Take(dir.Path).FileHashes.Count);
    }

    private async Task<List<byte[]>> ServerBytesAsync(SourceEndpoint endpoint)
    {
        using var client = new Pop3Client { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync(endpoint.Host, endpoint.Port, MailServiceConnector.ToSocketOptions(endpoint.Tls));
        await client.AuthenticateAsync(endpoint.User, bed.Password);
        var list = new List<byte[]>();
        for (int i = 0; i < client.Count; i++)
        {
            using Stream s = await client.GetStreamAsync(i);
            using var ms = new MemoryStream();
            await s.CopyToAsync(ms);
            list.Add(ms.ToArray());
        }

        await client.DisconnectAsync(true);
        return list;
    }
}
