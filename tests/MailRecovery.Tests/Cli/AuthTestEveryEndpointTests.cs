using System.Text.Json;
using System.Text.Json.Nodes;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;

namespace MailRecovery.Tests.Cli;

/// <summary>
/// Issue 13 point 3: <c>auth test ACCOUNT</c> signs in over every endpoint the configuration gives the account, each with
/// its own credential (the account, its primary, the probe's SMTP and primary, the replay check-in, the alert mail's
/// SMTP), and says per endpoint what works and the fix; against the real Dovecot and Postfix submission.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class AuthTestEveryEndpointTests(TestBedFixture bed) : IDisposable
{
    private static readonly string[] Uses = ["account", "primary", "probe.smtp", "probe.primary", "replay.checkIn", "alerts.mail"];
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Every_configured_endpoint_is_tried_with_its_own_credential_and_all_work()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string tag = TestBedFixture.NewUser("ate");
        await WriteConfigAsync(idp, tag, idp.Mint($"send-{tag}@example.test"));

        CliRunner.Result run = await RunAsync("--json");

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        using JsonDocument doc = JsonDocument.Parse(run.Out);
        JsonElement[] signIns = [.. doc.RootElement.GetProperty("signIns").EnumerateArray()];
        Assert.Equal(Uses, signIns.Select(s => s.GetProperty("use").GetString()));
        Assert.All(signIns, s => Assert.True(s.GetProperty("ok").GetBoolean(), s.ToString()));
        Assert.Equal(["token", "token", "token", "token", "token", "password"], signIns.Select(s => s.GetProperty("signIn").GetString()));
        Assert.Equal(["IMAP", "IMAP", "SMTP", "IMAP", "IMAP", "SMTP"], signIns.Select(s => s.GetProperty("protocol").GetString()));
        // Each token's own claims: the probe's SMTP token is the sender's, not the account's.
        Assert.Equal($"copy-{tag}@example.test", doc.RootElement.GetProperty("token").GetProperty("user").GetString());
        Assert.Equal($"send-{tag}@example.test", signIns[2].GetProperty("token").GetProperty("user").GetString());
        Assert.False(signIns[5].TryGetProperty("token", out _)); // a password has no claims
        AssertNoTokenIn(run);
    }

    [Fact]
    public async Task A_wrong_audience_on_the_smtp_side_only_fails_that_endpoint_with_the_fix_and_exit_2()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string tag = TestBedFixture.NewUser("atw");
        await WriteConfigAsync(idp, tag, idp.Mint($"send-{tag}@example.test", c => c["aud"] = "https://graph.microsoft.com"));

        CliRunner.Result json = await RunAsync("--json");
        CliRunner.Result text = await RunAsync();

        Assert.Equal(2, json.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(json.Out);
        Assert.False(doc.RootElement.GetProperty("ok").GetBoolean());
        Assert.False(doc.RootElement.TryGetProperty("tokenProblem", out _)); // the account's own token was had
        JsonElement[] signIns = [.. doc.RootElement.GetProperty("signIns").EnumerateArray()];
        Assert.Equal(["probe.smtp"], signIns.Where(s => !s.GetProperty("ok").GetBoolean()).Select(s => s.GetProperty("use").GetString()));
        string fix = signIns[2].GetProperty("fixes")[0].GetString()!;
        Assert.Contains("https://graph.microsoft.com", fix, StringComparison.Ordinal);
        Assert.Contains($"the server wants {bed.OAuthAudience}", fix, StringComparison.Ordinal);

        Assert.Equal(2, text.ExitCode);
        Assert.Contains($"probe.smtp      SMTP  127.0.0.1:{bed.SubmissionPort} (token): REFUSED: ", text.Out, StringComparison.Ordinal);
        Assert.Contains($"account         IMAP  127.0.0.1:{bed.ImapsPort} (token): ok", text.Out, StringComparison.Ordinal);
        Assert.Contains("its token: audience https://graph.microsoft.com;", text.Out, StringComparison.Ordinal);
        Assert.Contains($"fix: {fix}", text.Out, StringComparison.Ordinal);
        Assert.Contains("result: not all ok (exit 2).", text.Out, StringComparison.Ordinal);
        AssertNoTokenIn(json);
        AssertNoTokenIn(text);
    }

    /// <summary>
    /// The account copy-TAG with a token file, its primary helpdesk-TAG with another, a probe watching it (SMTP as
    /// send-TAG with <paramref name="smtpToken"/>, primary with a token), replay's check-in with a token, and the alert
    /// mail through the submission port with a password.
    /// </summary>
    private async Task WriteConfigAsync(StandInIdentityProvider idp, string tag, string smtpToken)
    {
        await SecretFile.WriteAsync(dir.Sub("copy-token"), idp.Mint($"copy-{tag}@example.test") + "\n");
        await SecretFile.WriteAsync(dir.Sub("helpdesk-token"), idp.Mint($"helpdesk-{tag}@example.test") + "\n");
        await SecretFile.WriteAsync(dir.Sub("smtp-token"), smtpToken + "\n");
        string imaps = $"127.0.0.1:{bed.ImapsPort}";
        var config = new JsonObject
        {
            ["archive"] = dir.Sub("archive"),
            ["caFile"] = bed.CaFile,
            ["accounts"] = new JsonArray(new JsonObject
            {
                ["name"] = "copy", ["protocol"] = "imap", ["host"] = "127.0.0.1", ["port"] = bed.ImapsPort, ["user"] = $"copy-{tag}@example.test", ["tokenFile"] = dir.Sub("copy-token"),
                ["primary"] = new JsonObject
                {
                    ["protocol"] = "imap", ["host"] = "127.0.0.1", ["port"] = bed.ImapsPort, ["user"] = $"helpdesk-{tag}@example.test", ["tokenFile"] = dir.Sub("helpdesk-token"),
                },
            }),
            ["probe"] = new JsonObject
            {
                ["everyMinutes"] = 360,
                ["smtp"] = $"smtp://send-{tag}%40example.test@127.0.0.1:{bed.SubmissionPort}",
                ["smtpTokenFile"] = dir.Sub("smtp-token"),
                ["alias"] = $"support-{tag}@example.test",
                ["copyAccount"] = "copy",
                ["primary"] = $"imaps://helpdesk-{tag}%40example.test@{imaps}/INBOX",
                ["primaryTokenFile"] = dir.Sub("helpdesk-token"),
            },
            ["replay"] = new JsonObject { ["checkIn"] = $"imaps://helpdesk-{tag}%40example.test@{imaps}/INBOX", ["checkInTokenFile"] = dir.Sub("helpdesk-token") },
            ["alerts"] = new JsonObject
            {
                ["mail"] = new JsonObject
                {
                    ["smtp"] = $"smtp://alert-{tag}@127.0.0.1:{bed.SubmissionPort}", ["smtpPasswordFile"] = bed.PasswordFile, ["to"] = new JsonArray($"admin-{tag}@example.test"),
                },
            },
        };
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());
    }

    private Task<CliRunner.Result> RunAsync(params string[] more) =>
        CliRunner.RunAsync(["auth", "test", "copy", "-c", dir.Sub("config.json"), "--audience", bed.OAuthAudience, "--scope", bed.OAuthScope, .. more]);

    private void AssertNoTokenIn(CliRunner.Result run)
    {
        foreach (string file in new[] { "copy-token", "helpdesk-token", "smtp-token" })
        {
            string token = File.ReadAllText(dir.Sub(file)).Trim();
            Assert.DoesNotContain(token.Split('.')[2], run.Out + run.Error, StringComparison.Ordinal);
        }
    }
}
