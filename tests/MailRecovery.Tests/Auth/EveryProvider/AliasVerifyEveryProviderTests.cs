using System.Text.Json;
using System.Text.Json.Nodes;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Auth.EveryProvider;

/// <summary>
/// Issue 13's "Done when" for <c>alias verify</c>: the copy account and its primary read by each token provider
/// (configuration), the probe submitted with SMTP AUTH by a token flag; the verdict is "works" and no token or
/// secret is in the output or the archive where the result is recorded.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class AliasVerifyEveryProviderTests(TestBedFixture bed, IdentityProviderFixture idp) : IClassFixture<IdentityProviderFixture>, IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Theory]
    [MemberData(nameof(TokenProviderSetup.All), MemberType = typeof(TokenProviderSetup))]
    public async Task Alias_verify_works_with_the_copy_and_primary_signing_in_by_each_provider(TokenProvider provider)
    {
        TokenProviderSetup setup = idp.Setup(bed);
        string tag = TestBedFixture.NewUser("avp");
        string sender = TestBedFixture.NewUser("avs");
        JsonObject primary = await setup.KeysAsync(provider, $"helpdesk-{tag}@example.test");
        Fill(primary, $"helpdesk-{tag}@example.test");
        JsonObject copy = await setup.KeysAsync(provider, $"safety-{tag}@example.test");
        Fill(copy, $"safety-{tag}@example.test");
        copy["primary"] = primary;
        var config = new JsonObject { ["archive"] = dir.Sub("archive"), ["caFile"] = bed.CaFile, ["accounts"] = new JsonArray(copy) };
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());
        string smtpToken = await setup.TokenFileAsync($"{sender}@example.test");
        string[] smtpFlag = provider == TokenProvider.TokenCommand ? ["--smtp-token-command", "cat " + smtpToken] : ["--smtp-token-file", smtpToken];

        CliRunner.Result run = await CliRunner.RunAsync(["alias", "verify", "--config", dir.Sub("config.json"), "--alias", $"support-{tag}@example.test",
            "--smtp", $"smtp://{sender}%40example.test@127.0.0.1:{bed.SubmissionPort}", .. smtpFlag, "--timeout", "20", "--json"]);

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Equal("works", JsonDocument.Parse(run.Out).RootElement.GetProperty("verdict").GetString());
        Assert.Equal(1, bed.CountMessages($"helpdesk-{tag}"));
        Assert.Equal(1, bed.CountMessages($"safety-{tag}"));
        SecretScan.AssertNone(setup.AllSecrets, ("alias verify output", run.Out + run.Error));
        if (Directory.Exists(dir.Sub("archive"))) // the result is recorded only in an archive that exists
            SecretScan.AssertNoneInDirectory(setup.AllSecrets, dir.Sub("archive"));
    }

    private void Fill(JsonObject account, string user)
    {
        account["protocol"] = "imap";
        account["host"] = "127.0.0.1";
        account["port"] = bed.ImapsPort;
        account["user"] = user;
    }
}
