using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailRecovery.Core.Auth;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;
using static MailRecovery.Tests.TestBed.OAuth.OAuthSignIn;

namespace MailRecovery.Tests.Auth;

/// <summary>
/// App-only tokens through MSAL (client credentials with a secret or a certificate) from the stand-in identity
/// provider, used to sign in to the real Dovecot and Postfix, which validate them.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class MicrosoftAppSourceTests(TestBedFixture bed) : IAsyncLifetime
{
    private readonly TempDirectory dir = new();
    private readonly HttpClient http = BedHttp.Client(bed);
    private StandInIdentityProvider idp = null!;

    public async Task InitializeAsync() => idp = await StandInIdentityProvider.StartAsync(bed);

    public async Task DisposeAsync()
    {
        await idp.DisposeAsync();
        http.Dispose();
        dir.Dispose();
    }

    [Theory]
    [InlineData(Protocol.Imap, "XOAUTH2")]
    [InlineData(Protocol.Imap, "OAUTHBEARER")]
    [InlineData(Protocol.Pop3, "XOAUTH2")]
    [InlineData(Protocol.Pop3, "OAUTHBEARER")]
    [InlineData(Protocol.Smtp, "XOAUTH2")]
    [InlineData(Protocol.Smtp, "OAUTHBEARER")]
    public async Task A_token_got_with_a_client_secret_signs_in(Protocol protocol, string mechanism)
    {
        string user = TestBedFixture.NewUser("msapp");
        MicrosoftAppSource source = await RegisterWithSecretAsync(user);

        AccessToken token = await source.GetAsync(false, default);

        Assert.NotNull(token.ExpiresOn);
        await SignInAsync(bed, protocol, mechanism, $"{user}@example.test", token.Value);
        Assert.Contains("client_credentials ok", idp.Log);
    }

    [Fact]
    public async Task A_token_got_with_a_certificate_signs_in()
    {
        string user = TestBedFixture.NewUser("mscert");
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=mailrecovery-test-app", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        string pem = dir.Sub("app.pem");
        await SecretFile.WriteAsync(pem, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        string clientId = Guid.NewGuid().ToString();
        idp.Clients[clientId] = new IdpClient(clientId) { AssertionKey = certificate.GetRSAPublicKey(), Permissions = [bed.OAuthScope], Mailbox = $"{user}@example.test" };
        var source = new MicrosoftAppSource(Options(clientId) with { CertificateFile = pem }, http);

        AccessToken token = await source.GetAsync(false, default);

        Assert.DoesNotContain(idp.Log, l => l.StartsWith("stand-in failed", StringComparison.Ordinal));
        await SignInAsync(bed, Protocol.Imap, "XOAUTH2", $"{user}@example.test", token.Value);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused_by_the_server()
    {
        string user = TestBedFixture.NewUser("msaud");
        MicrosoftAppSource source = await RegisterWithSecretAsync(user, scopes: ["https://other.example.test/.default"]);

        AccessToken token = await source.GetAsync(false, default);

        await AssertRefusedAsync(bed, Protocol.Imap, "XOAUTH2", $"{user}@example.test", token.Value);
        Assert.Contains("client_id not found in aud field", LastOAuthFailure(bed));
    }

    [Fact]
    public async Task A_token_without_the_mail_permission_is_refused_by_the_server()
    {
        string user = TestBedFixture.NewUser("msscope");
        MicrosoftAppSource source = await RegisterWithSecretAsync(user, permissions: ["calendar.read"]);

        AccessToken token = await source.GetAsync(false, default);

        await AssertRefusedAsync(bed, Protocol.Pop3, "XOAUTH2", $"{user}@example.test", token.Value);
        Assert.Contains($"configured scope '{bed.OAuthScope}' missing", LastOAuthFailure(bed));
    }

    [Fact]
    public async Task A_token_for_another_mailbox_is_refused_by_the_server()
    {
        string user = TestBedFixture.NewUser("msbox");
        MicrosoftAppSource source = await RegisterWithSecretAsync("someone-else");

        AccessToken token = await source.GetAsync(false, default);

        await AssertRefusedAsync(bed, Protocol.Smtp, "OAUTHBEARER", $"{user}@example.test", token.Value);
    }

    [Fact]
    public async Task An_expired_token_is_refused_by_the_server_and_renewal_gets_a_working_one()
    {
        string user = TestBedFixture.NewUser("msexp");
        idp.AccessTokenLifetime = TimeSpan.FromSeconds(5);
        MicrosoftAppSource source = await RegisterWithSecretAsync(user);
        using var renewing = new RenewingTokenSource(source, TimeProvider.System, margin: TimeSpan.FromSeconds(1));

        AccessToken first = await renewing.GetAsync(false, default);
        await SignInAsync(bed, Protocol.Imap, "XOAUTH2", $"{user}@example.test", first.Value);
        await Task.Delay(first.ExpiresOn!.Value - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.2));

        await AssertRefusedAsync(bed, Protocol.Imap, "XOAUTH2", $"{user}@example.test", first.Value);
        Assert.Contains("Token has expired", LastOAuthFailure(bed));
        AccessToken second = await renewing.GetAsync(false, default);
        Assert.NotEqual(first.Value, second.Value);
        await SignInAsync(bed, Protocol.Imap, "XOAUTH2", $"{user}@example.test", second.Value);
    }

    [Fact]
    public async Task A_wrong_client_secret_is_an_authentication_failure_that_shows_no_secret()
    {
        string clientId = Guid.NewGuid().ToString();
        idp.Clients[clientId] = new IdpClient(clientId) { Secret = "the-right-secret-" + Guid.NewGuid() };
        string wrong = "wrong-secret-" + Guid.NewGuid();
        await SecretFile.WriteAsync(dir.Sub("wrong.secret"), wrong + "\n");
        var source = new MicrosoftAppSource(Options(clientId) with { ClientSecretFile = dir.Sub("wrong.secret") }, http);

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => source.GetAsync(false, default).AsTask());

        Assert.Equal(FailureKind.Authentication, e.Kind);
        Assert.Contains("AADSTS7000215", e.Message);
        Assert.Contains("client secret is wrong", e.Fix);
        Assert.DoesNotContain(wrong, e.UserText + e);
    }

    private async Task<MicrosoftAppSource> RegisterWithSecretAsync(string user, IReadOnlyList<string>? scopes = null, IReadOnlyList<string>? permissions = null)
    {
        string clientId = Guid.NewGuid().ToString();
        string secret = "s3cr3t~" + Guid.NewGuid();
        idp.Clients[clientId] = new IdpClient(clientId) { Secret = secret, Permissions = permissions ?? [bed.OAuthScope], Mailbox = $"{user}@example.test" };
        string file = dir.Sub(clientId + ".secret");
        await SecretFile.WriteAsync(file, secret + "\n");
        return new MicrosoftAppSource(Options(clientId) with { ClientSecretFile = file, Scopes = scopes ?? [bed.OAuthAudience + "/.default"] }, http);
    }

    private MicrosoftAppOptions Options(string clientId) =>
        new(StandInIdentityProvider.Tenant, clientId) { AuthorityHost = idp.AuthorityHost, InstanceDiscovery = false, Scopes = [bed.OAuthAudience + "/.default"] };
}
