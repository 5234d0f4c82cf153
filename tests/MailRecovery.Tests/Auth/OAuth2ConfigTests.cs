using System.Text.Json;
using System.Text.Json.Nodes;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Auth;

/// <summary>An account whose configuration says <c>oauth2</c> (Microsoft app-only, MSAL against the stand-in authority) fetches from the real bed.</summary>
[Collection(TestBedCollection.Name)]
public sealed class OAuth2ConfigTests(TestBedFixture bed) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_configured_microsoft_app_account_fetches_and_no_secret_is_in_output_or_index()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("cfo");
        string clientId = Guid.NewGuid().ToString();
        const string Secret = "config-app-secret-4711";
        idp.Clients[clientId] = new IdpClient(clientId) { Secret = Secret, Permissions = [bed.OAuthScope], Mailbox = $"{user}@example.test" };
        await SecretFile.WriteAsync(dir.Sub("secret"), Secret + "\n");
        await bed.LoadAsync(user, [TestMessages.Simple(1, $"a.{user}@example.org"), TestMessages.Simple(2, $"b.{user}@example.org")]);
        var config = new JsonObject
        {
            ["archive"] = dir.Sub("archive"),
            ["caFile"] = bed.CaFile,
            ["accounts"] = new JsonArray(new JsonObject
            {
                ["protocol"] = "imap",
                ["host"] = "127.0.0.1",
                ["port"] = bed.ImapsPort,
                ["user"] = $"{user}@example.test",
                ["oauth2"] = new JsonObject
                {
                    ["provider"] = "microsoft",
                    ["tenant"] = StandInIdentityProvider.Tenant,
                    ["clientId"] = clientId,
                    ["clientSecretFile"] = dir.Sub("secret"),
                    ["authority"] = idp.AuthorityHost.AbsoluteUri,
                    ["scope"] = bed.OAuthAudience + "/.default",
                },
            }),
        };
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());

        CliRunner.Result run = await CliRunner.RunAsync("fetch", "--config", dir.Sub("config.json"), "--json");

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Contains("\"fetched\":2", run.Out.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        TokenFlagTests.AssertNoSecret(Secret, run, dir.Sub("archive"));
    }

    [Fact]
    public async Task A_password_and_a_token_on_one_account_are_refused_naming_the_key()
    {
        var config = new JsonObject
        {
            ["archive"] = dir.Sub("archive"),
            ["accounts"] = new JsonArray(new JsonObject
            {
                ["protocol"] = "imap", ["host"] = "127.0.0.1", ["user"] = "u", ["passwordFile"] = bed.PasswordFile, ["tokenFile"] = bed.PasswordFile,
            }),
        };
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());

        CliRunner.Result run = await CliRunner.RunAsync("fetch", "--config", dir.Sub("config.json"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("both a password and an access token", run.Error, StringComparison.Ordinal);
    }
}
