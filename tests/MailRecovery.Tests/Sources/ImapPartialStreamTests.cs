using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Sources;

[Collection(TestBedCollection.Name)]
public sealed class ImapPartialStreamTests(TestBedFixture bed)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reads_a_message_in_partial_fetches_byte_exact_synchronously_and_asynchronously(bool synchronous)
    {
        string user = TestBedFixture.NewUser("part");
        byte[] message = TestMessages.Large(2 * 1024 * 1024 + 12345, $"part.{user}@example.org");
        await bed.LoadAsync(user, [message]);
        SourceEndpoint endpoint = bed.Imaps(user);
        using var client = new ImapClient { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync(endpoint.Host, endpoint.Port, MailServiceConnector.ToSocketOptions(endpoint.Tls));
        await client.AuthenticateAsync(endpoint.User, bed.Password);
        var inbox = (ImapFolder)client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadOnly);
        UniqueId uid = (await inbox.SearchAsync(MailKit.Search.SearchQuery.All))[0];

        // 1 MiB pieces: three partial fetches, the last one short.
        using var partial = new ImapPartialStream(inbox, uid, 1024 * 1024);
        using var copy = new MemoryStream();
        if (synchronous)
            partial.CopyTo(copy, 64 * 1024);
        else
            await partial.CopyToAsync(copy, 64 * 1024);

        Assert.Equal(message, copy.ToArray());
        Assert.Equal(message.Length, partial.Position);
    }
}
