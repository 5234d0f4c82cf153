using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MailRecovery.Core.Auth;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;
using static MailRecovery.Tests.TestBed.OAuth.OAuthSignIn;

namespace MailRecovery.Tests.Auth;

/// <summary>
/// Google's two grants, written without Google.Apis.Auth (not AOT-clean): a service account's signed JWT with
/// domain-wide delegation (RFC 7523), and an installed app's refresh token, against the stand-in provider; the
/// tokens sign in to the bed's Dovecot and Postfix.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class GoogleSourceTests(TestBedFixture bed) : IAsyncLifetime
{
    private readonly TempDirectory dir = new();
    private readonly HttpClient http = BedHttp.Client(bed);
    private readonly CollectingLogger logger = new();
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
    [InlineData(Protocol.Pop3, "OAUTHBEARER")]
    [InlineData(Protocol.Smtp, "XOAUTH2")]
    public async Task A_service_account_acting_as_the_mailbox_signs_in(Protocol protocol, string mechanism)
    {
        string email = TestBedFixture.NewUser("gsa") + "@example.test";
        GoogleServiceAccountSource source = await ServiceAccountAsync(email, delegatedScopes: [bed.OAuthScope]);

        AccessToken token = await source.GetAsync(false, default);

        await SignInAsync(bed, protocol, mechanism, email, token.Value);
    }

    [Fact]
    public async Task A_service_account_without_domain_wide_delegation_for_the_scope_gets_a_fix()
    {
        string email = TestBedFixture.NewUser("gsano") + "@example.test";
        GoogleServiceAccountSource source = await ServiceAccountAsync(email, delegatedScopes: ["https://www.googleapis.com/auth/calendar"]);

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => source.GetAsync(false, default).AsTask());

        Assert.Equal(FailureKind.Authentication, e.Kind);
        Assert.Contains("unauthorized_client", e.Message);
        Assert.Contains("domain-wide delegation", e.Fix);
    }

    [Fact]
    public async Task A_rotated_refresh_token_is_saved_and_used_after_a_restart()
    {
        string email = TestBedFixture.NewUser("grt") + "@example.test";
        (GoogleRefreshTokenOptions options, string original) = await InstalledAppAsync(email);

        AccessToken token = await new GoogleRefreshTokenSource(options, http, TimeProvider.System, logger).GetAsync(false, default);
        await SignInAsync(bed, Protocol.Imap, "OAUTHBEARER", email, token.Value);
        StoredGrant saved = (await new RefreshTokenStore(options.StoreFile).LoadAsync(default))!;
        Assert.NotEqual(original, saved.Secret);
        Assert.False(idp.IsRefreshTokenValid(original));

        AccessToken afterRestart = await new GoogleRefreshTokenSource(options, http, TimeProvider.System, logger).GetAsync(false, default);
        await SignInAsync(bed, Protocol.Pop3, "XOAUTH2", email, afterRestart.Value);
        Assert.Equal(["refresh_token ok", "refresh_token ok"], idp.Log);
    }

    [Fact]
    public async Task A_refresh_token_that_is_not_rotated_is_kept_and_its_use_recorded()
    {
        idp.RotateRefreshTokens = false;
        string email = TestBedFixture.NewUser("grk") + "@example.test";
        (GoogleRefreshTokenOptions options, string original) = await InstalledAppAsync(email);
        var store = new RefreshTokenStore(options.StoreFile);
        await store.SaveAsync(new StoredGrant(original, DateTimeOffset.UtcNow.AddDays(-160)), default);

        await new GoogleRefreshTokenSource(options, http, TimeProvider.System, logger).GetAsync(false, default);

        StoredGrant saved = (await store.LoadAsync(default))!;
        Assert.Equal(original, saved.Secret);
        Assert.True(DateTimeOffset.UtcNow - saved.LastUsedUtc < TimeSpan.FromMinutes(1));
        string warning = Assert.Single(logger.Lines);
        Assert.Contains("last used 160 days ago", warning);
        Assert.DoesNotContain(original, warning);
    }

    [Fact]
    public async Task A_used_up_refresh_token_says_to_sign_in_again_and_shows_no_secret()
    {
        string email = TestBedFixture.NewUser("grx") + "@example.test";
        (GoogleRefreshTokenOptions options, string original) = await InstalledAppAsync(email);
        await new GoogleRefreshTokenSource(options, http, TimeProvider.System, logger).GetAsync(false, default);
        await new RefreshTokenStore(options.StoreFile).SaveAsync(new StoredGrant(original, DateTimeOffset.UtcNow), default); // the old, rotated-away one

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => new GoogleRefreshTokenSource(options, http, TimeProvider.System, logger).GetAsync(false, default).AsTask());

        Assert.Equal(FailureKind.Authentication, e.Kind);
        Assert.Contains("invalid_grant", e.Message);
        Assert.Contains("sign in again", e.Fix);
        string secret = File.ReadAllText(options.ClientSecretFile).Trim();
        Assert.DoesNotContain(original, e.UserText + e);
        Assert.DoesNotContain(secret, e.UserText + e);
    }

    private async Task<GoogleServiceAccountSource> ServiceAccountAsync(string email, IReadOnlyList<string> delegatedScopes)
    {
        using RSA key = RSA.Create(2048);
        string clientEmail = $"mailrecovery-{Guid.NewGuid():N}@project.iam.gserviceaccount.com";
        idp.Clients[clientEmail] = new IdpClient(clientEmail) { AssertionKey = RSA.Create(key.ExportParameters(false)), DelegatedScopes = delegatedScopes };
        var json = new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = "project",
            ["private_key_id"] = Guid.NewGuid().ToString("N"),
            ["private_key"] = key.ExportPkcs8PrivateKeyPem() + "\n",
            ["client_email"] = clientEmail,
            ["client_id"] = "1234567890",
            ["token_uri"] = idp.TokenUri.AbsoluteUri,
        };
        string file = dir.Sub("service-account.json");
        await SecretFile.WriteAsync(file, json.ToJsonString());
        return new GoogleServiceAccountSource(new GoogleServiceAccountOptions(file, email) { Scope = bed.OAuthScope }, http, TimeProvider.System);
    }

    private async Task<(GoogleRefreshTokenOptions Options, string RefreshToken)> InstalledAppAsync(string email)
    {
        string clientId = Guid.NewGuid().ToString("N") + ".apps.googleusercontent.com";
        string secret = "GOCSPX-" + Guid.NewGuid().ToString("N");
        idp.Clients[clientId] = new IdpClient(clientId) { Secret = secret };
        await SecretFile.WriteAsync(dir.Sub("client.secret"), secret + "\n");
        string refreshToken = idp.IssueRefreshToken(clientId, email, $"{bed.OAuthAudience}/{bed.OAuthScope}");
        var options = new GoogleRefreshTokenOptions(clientId, dir.Sub("client.secret"), dir.Sub("google.store")) { TokenUri = idp.TokenUri };
        await new RefreshTokenStore(options.StoreFile).SaveAsync(new StoredGrant(refreshToken, DateTimeOffset.UtcNow), default);
        return (options, refreshToken);
    }
}
