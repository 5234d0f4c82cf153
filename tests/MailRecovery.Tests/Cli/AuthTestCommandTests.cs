using System.Text.Json;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Cli;

/// <summary>
/// <c>mailrecovery auth test</c> as a user runs it (the built program): claims shown, the token itself never, and a
/// refusal explained with its fix; --json has the same content.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class AuthTestCommandTests(TestBedFixture bed) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_good_token_prints_its_claims_and_ok_for_IMAP_and_SMTP_and_never_the_token()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("clitest") + "@example.test";
        string token = idp.Mint(user);

        CliRunner.Result result = await RunAsync(user, token);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"audience  {bed.OAuthAudience}", result.Out, StringComparison.Ordinal);
        Assert.Contains($"user      {user}", result.Out, StringComparison.Ordinal);
        Assert.Contains("IMAP  127.0.0.1:", result.Out, StringComparison.Ordinal);
        Assert.Contains("SMTP  127.0.0.1:", result.Out, StringComparison.Ordinal);
        Assert.Contains("result: all ok.", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(token, result.Out + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2], result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_without_the_scope_exits_2_with_the_missing_scope_in_the_json()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string user = TestBedFixture.NewUser("clitest") + "@example.test";
        string token = idp.Mint(user, c => c["scope"] = "openid");

        CliRunner.Result result = await RunAsync(user, token, "--json");

        Assert.Equal(2, result.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(result.Out);
        JsonElement imap = doc.RootElement.GetProperty("signIns")[0];
        Assert.False(imap.GetProperty("ok").GetBoolean());
        Assert.Contains($"lacks the scope {bed.OAuthScope}", imap.GetProperty("fixes")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(user, doc.RootElement.GetProperty("token").GetProperty("user").GetString());
        Assert.DoesNotContain(token, result.Out + result.Error, StringComparison.Ordinal);
    }

    private async Task<CliRunner.Result> RunAsync(string user, string token, params string[] more)
    {
        await SecretFile.WriteAsync(dir.Sub("token"), token + "\n");
        return await CliRunner.RunAsync([
            "auth", "test", "--source", $"imaps://{Uri.EscapeDataString(user)}@127.0.0.1:{bed.ImapsPort}/INBOX", "--token-file", dir.Sub("token"),
            "--smtp", $"smtp://{Uri.EscapeDataString(user)}@127.0.0.1:{bed.SubmissionPort}", "--ca-file", bed.CaFile,
            "--audience", bed.OAuthAudience, "--scope", bed.OAuthScope, .. more]);
    }
}
