using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailRecovery.Core.Auth;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Auth;

/// <summary>
/// A token source the configuration builds logs to the verb's log: the refresh token inactivity warning (Microsoft
/// ends refresh tokens unused for 90 days, AADSTS700082) reaches <c>watch</c>'s standard error for a configured
/// delegated account, as the real process writes it, and no token is ever in it.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed partial class ConfiguredTokenLoggerTests(TestBedFixture bed) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Watch_warns_in_its_log_about_a_configured_refresh_token_last_used_61_days_ago_and_shows_no_token()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        using HttpClient http = BedHttp.Client(bed);
        string email = TestBedFixture.NewUser("ctl") + "@example.test";
        string clientId = Guid.NewGuid().ToString();
        idp.Clients[clientId] = new IdpClient(clientId);
        string store = dir.Sub("helpdesk.token");
        string[] scopes = [$"{bed.OAuthAudience}/{bed.OAuthScope}", "offline_access"];
        var options = new MicrosoftDelegatedOptions(StandInIdentityProvider.Tenant, clientId, store) { AuthorityHost = idp.AuthorityHost, InstanceDiscovery = false, Scopes = scopes };
        await new MicrosoftDelegatedSource(options, TimeProvider.System, new CollectingLogger(), http).SignInAsync(message =>
        {
            idp.Approve(UserCode().Match(message).Groups[1].Value, email);
            return Task.CompletedTask;
        }, default);
        // The store as a sign-in 61 days ago left it: day 61 of Microsoft's 90.
        var tokens = new RefreshTokenStore(store);
        StoredGrant grant = (await tokens.LoadAsync(default))!;
        await tokens.SaveAsync(grant with { LastUsedUtc = DateTimeOffset.UtcNow.AddDays(-61) }, default);
        var config = new JsonObject
        {
            ["archive"] = dir.Sub("archive"),
            ["caFile"] = bed.CaFile,
            ["accounts"] = new JsonArray(new JsonObject
            {
                ["name"] = "helpdesk", ["protocol"] = "imap", ["host"] = "127.0.0.1", ["port"] = bed.ImapsPort, ["user"] = email,
                ["oauth2"] = new JsonObject
                {
                    ["provider"] = "microsoft", ["tenant"] = StandInIdentityProvider.Tenant, ["clientId"] = clientId, ["tokenStore"] = store,
                    ["authority"] = idp.AuthorityHost.AbsoluteUri, ["scope"] = string.Join(' ', scopes),
                },
            }),
        };
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());

        var seen = new StringBuilder();
        using (Process watch = CliRunner.Start(null, "watch", "--config", dir.Sub("config.json")))
        {
            Task<string> output = watch.StandardOutput.ReadToEndAsync();
            try
            {
                while (!seen.ToString().Contains("Microsoft: the refresh token was last used", StringComparison.Ordinal)
                       && await watch.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
                    seen.AppendLine(line);
            }
            catch (TimeoutException)
            {
                // No warning within a minute: the assertion below shows what watch did log.
            }
            finally
            {
                watch.Kill(entireProcessTree: true);
            }

            await watch.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            seen.Append(await watch.StandardError.ReadToEndAsync()).Append(await output);
        }

        string log = seen.ToString();
        Assert.Contains("Microsoft: the refresh token was last used 61 days ago and expires unused on", log, StringComparison.Ordinal);
        Assert.Contains(store, log, StringComparison.Ordinal);
        // Neither the refresh token (before or after its rotation) nor an access token (a JWT: "eyJ…") is in it.
        foreach (string secret in RefreshTokens(grant.Secret).Concat(RefreshTokens((await tokens.LoadAsync(default))!.Secret)))
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", log, StringComparison.Ordinal);
    }

    /// <summary>The refresh token secrets in MSAL's serialized cache.</summary>
    private static IEnumerable<string> RefreshTokens(string cache) =>
        JsonNode.Parse(cache)!["RefreshToken"]!.AsObject().Select(t => t.Value!["secret"]!.ToString());

    [GeneratedRegex("enter the code ([A-Z]+) ")]
    private static partial Regex UserCode();
}
