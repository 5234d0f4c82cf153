using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailRecovery.Core.Auth;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;
using static MailRecovery.Tests.TestBed.OAuth.OAuthSignIn;

namespace MailRecovery.Tests.Auth;

/// <summary>
/// Delegated access through MSAL: a device code sign-in, then unattended renewals with a refresh token that the
/// provider rotates on every use; the rotated one must be on disk and work after a restart.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed partial class MicrosoftDelegatedSourceTests(TestBedFixture bed) : IAsyncLifetime
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

    [Fact]
    public async Task A_rotated_refresh_token_is_saved_and_used_after_a_restart()
    {
        string user = TestBedFixture.NewUser("msdel");
        string email = $"{user}@example.test";
        string clientId = Guid.NewGuid().ToString();
        idp.Clients[clientId] = new IdpClient(clientId);
        var options = new MicrosoftDelegatedOptions(StandInIdentityProvider.Tenant, clientId, dir.Sub("msal-cache.json"))
        {
            AuthorityHost = idp.AuthorityHost,
            InstanceDiscovery = false,
            Scopes = [$"{bed.OAuthAudience}/{bed.OAuthScope}", "offline_access"],
        };

        var first = new MicrosoftDelegatedSource(options, TimeProvider.System, logger, http);
        string signedIn = await first.SignInAsync(message =>
        {
            idp.Approve(UserCode().Match(message).Groups[1].Value, email);
            return Task.CompletedTask;
        }, default);
        Assert.Equal(email, signedIn);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(options.CacheFile));
        string firstRefreshToken = RefreshTokenIn(options.CacheFile);
        Assert.True(idp.IsRefreshTokenValid(firstRefreshToken));

        // "Restart": a new source reads the store, and a forced refresh rotates the refresh token.
        var second = new MicrosoftDelegatedSource(options, TimeProvider.System, logger, http);
        AccessToken token = await second.GetAsync(forceRefresh: true, default);
        string secondRefreshToken = RefreshTokenIn(options.CacheFile);
        Assert.NotEqual(firstRefreshToken, secondRefreshToken);
        Assert.False(idp.IsRefreshTokenValid(firstRefreshToken));
        Assert.True(idp.IsRefreshTokenValid(secondRefreshToken));
        await SignInAsync(bed, Protocol.Imap, "XOAUTH2", email, token.Value);

        // And again: only the saved (rotated) one can have worked.
        var third = new MicrosoftDelegatedSource(options, TimeProvider.System, logger, http);
        AccessToken again = await third.GetAsync(forceRefresh: true, default);
        await SignInAsync(bed, Protocol.Smtp, "OAUTHBEARER", email, again.Value);
        Assert.Equal(["device_code ok", "refresh_token ok", "refresh_token ok"], idp.Log.Where(l => !l.StartsWith("device_code authorization_pending", StringComparison.Ordinal)));
        Assert.DoesNotContain(logger.Lines, l => l.Contains(secondRefreshToken, StringComparison.Ordinal) || l.Contains(token.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_sign_in_the_source_says_to_sign_in()
    {
        string clientId = Guid.NewGuid().ToString();
        idp.Clients[clientId] = new IdpClient(clientId);
        var options = new MicrosoftDelegatedOptions(StandInIdentityProvider.Tenant, clientId, dir.Sub("none.json")) { AuthorityHost = idp.AuthorityHost, InstanceDiscovery = false };
        var source = new MicrosoftDelegatedSource(options, TimeProvider.System, logger, http);

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => source.GetAsync(false, default).AsTask());

        Assert.Equal(FailureKind.Authentication, e.Kind);
        Assert.Contains("not signed in", e.Message);
    }

    /// <summary>The refresh token's secret in MSAL's serialized cache (inside the store's JSON).</summary>
    private static string RefreshTokenIn(string storeFile)
    {
        string cache = JsonNode.Parse(File.ReadAllText(storeFile))!["secret"]!.ToString();
        JsonObject tokens = JsonNode.Parse(cache)!["RefreshToken"]!.AsObject();
        return Assert.Single(tokens).Value!["secret"]!.ToString();
    }

    [GeneratedRegex("enter the code ([A-Z]+) ")]
    private static partial Regex UserCode();
}
