using MailKit.Net.Imap;
using MailRecovery.Core.Auth;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Auth;

/// <summary>
/// The seam between the two halves of issue 13: the protocol layer's <see cref="TokenCredential"/> (mechanism chosen
/// from what the server offers) with an MSAL token source, against the real Dovecot. Fetch and replay do not use
/// token sources yet; this is the path they will take.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ProtocolLayerTokenTests(TestBedFixture bed) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task The_protocol_layer_signs_in_to_IMAP_with_an_MSAL_app_token()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        using HttpClient http = BedHttp.Client(bed);
        string user = TestBedFixture.NewUser("layer");
        string clientId = Guid.NewGuid().ToString();
        idp.Clients[clientId] = new IdpClient(clientId) { Secret = "layer-secret", Permissions = [bed.OAuthScope], Mailbox = $"{user}@example.test" };
        await SecretFile.WriteAsync(dir.Sub("secret"), "layer-secret\n");
        var msal = new MicrosoftAppSource(new MicrosoftAppOptions(StandInIdentityProvider.Tenant, clientId)
        {
            ClientSecretFile = dir.Sub("secret"), Scopes = [bed.OAuthAudience + "/.default"], AuthorityHost = idp.AuthorityHost, InstanceDiscovery = false,
        }, http);
        using var source = new RenewingTokenSource(msal, TimeProvider.System);
        SourceEndpoint endpoint = SourceUri.Parse($"imaps://{user}%40example.test@127.0.0.1:{bed.ImapsPort}/INBOX", insecure: false);
        using ImapClient client = MailServiceConnector.NewImapClient();

        await ImapSessions.OpenAsync(client, endpoint, new TokenCredential(source), bed.Trust, CancellationToken.None);

        Assert.True(client.IsAuthenticated);
        await client.DisconnectAsync(true);
    }
}
