using System.Text.Json;
using System.Text.Json.Nodes;
using MailRecovery.Core.Alerts;
using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Status;
using MailRecovery.Tests.TestBed;
using MailRecovery.Tests.TestBed.OAuth;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailRecovery.Tests.Auth;

/// <summary>
/// Issue 13: every sign-in the configuration names takes the token keys an account takes. The probe's SMTP
/// (<c>smtpTokenFile</c>) and primary (<c>primaryTokenFile</c>), and the alert mail's SMTP, against the real bed:
/// Postfix's submission port through Dovecot SASL, Dovecot IMAP.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ConfiguredTokenKeysTests(TestBedFixture bed) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Alias_verify_from_the_configuration_submits_and_reads_the_primary_with_token_files()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string tag = TestBedFixture.NewUser("ctk");
        string sender = TestBedFixture.NewUser("cts");
        await SecretFile.WriteAsync(dir.Sub("smtp-token"), idp.Mint($"{sender}@example.test") + "\n");
        await SecretFile.WriteAsync(dir.Sub("copy-token"), idp.Mint($"safety-{tag}@example.test") + "\n");
        await SecretFile.WriteAsync(dir.Sub("primary-token"), idp.Mint($"helpdesk-{tag}@example.test") + "\n");
        var config = new JsonObject
        {
            ["archive"] = dir.Sub("archive"),
            ["caFile"] = bed.CaFile,
            ["accounts"] = new JsonArray(new JsonObject
            {
                ["name"] = "safety", ["protocol"] = "imap", ["host"] = "127.0.0.1", ["port"] = bed.ImapsPort, ["user"] = $"safety-{tag}@example.test", ["tokenFile"] = dir.Sub("copy-token"),
            }),
            ["probe"] = new JsonObject
            {
                ["everyMinutes"] = 360,
                ["smtp"] = $"smtp://{sender}%40example.test@127.0.0.1:{bed.SubmissionPort}",
                ["smtpTokenFile"] = dir.Sub("smtp-token"),
                ["alias"] = $"support-{tag}@example.test",
                ["primary"] = $"imaps://helpdesk-{tag}%40example.test@127.0.0.1:{bed.ImapsPort}/INBOX",
                ["primaryTokenFile"] = dir.Sub("primary-token"),
            },
        };
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());

        CliRunner.Result run = await CliRunner.RunAsync("alias", "verify", "--config", dir.Sub("config.json"), "--timeout", "20", "--json");

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        using JsonDocument report = JsonDocument.Parse(run.Out);
        Assert.Equal("works", report.RootElement.GetProperty("verdict").GetString());
        // Seen in the primary too, which only the primary's token can have read.
        Assert.True(report.RootElement.GetProperty("primary").GetProperty("delivered").GetBoolean(), run.Out);
        TokenFlagTests.AssertNoSecret(File.ReadAllText(dir.Sub("smtp-token")).Trim(), run, dir.Path);
        TokenFlagTests.AssertNoSecret(File.ReadAllText(dir.Sub("primary-token")).Trim(), run, dir.Path);
    }

    [Fact]
    public async Task An_alert_mail_goes_through_the_submission_port_signed_in_with_the_configured_token()
    {
        await using StandInIdentityProvider idp = await StandInIdentityProvider.StartAsync(bed);
        string admin = TestBedFixture.NewUser("cta");
        string sender = TestBedFixture.NewUser("ctm");
        var failing = new StatusCondition("account-failing", DateTimeOffset.UtcNow.AddMinutes(-7), "account imap://copy@127.0.0.1:993 failing", "imap://copy@127.0.0.1:993");

        // A token for another audience first: Dovecot refuses it, so the alert cannot go; the token is what signs in.
        await SecretFile.WriteAsync(dir.Sub("smtp-token"), idp.Mint($"{sender}@example.test", c => c["aud"] = "https://graph.microsoft.com") + "\n");
        AlertRunReport refused = await AlertAsync(AlertConfig(sender, admin), failing);
        Assert.Empty(refused.Sent);
        Assert.Single(refused.Failed);

        await SecretFile.WriteAsync(dir.Sub("smtp-token"), idp.Mint($"{sender}@example.test") + "\n");
        AlertRunReport sent = await AlertAsync(AlertConfig(sender, admin), failing, fresh: true);

        Assert.Single(sent.Sent);
        await bed.WaitForMessagesAsync(admin, 1);
    }

    [Fact]
    public async Task A_password_and_a_token_on_the_probes_smtp_are_refused_in_the_accounts_words_naming_the_key()
    {
        var config = new JsonObject
        {
            ["archive"] = dir.Sub("archive"),
            ["accounts"] = new JsonArray(new JsonObject { ["protocol"] = "imap", ["host"] = "127.0.0.1", ["user"] = "u", ["passwordFile"] = bed.PasswordFile }),
            ["probe"] = new JsonObject
            {
                ["everyMinutes"] = 60, ["smtp"] = "smtp://u@127.0.0.1:587", ["alias"] = "support@example.test",
                ["smtpPasswordFile"] = bed.PasswordFile, ["smtpTokenCommand"] = "/bin/true",
            },
        };
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());

        var e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(dir.Sub("config.json")));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal("configuration: probe.smtpPasswordFile: the probe's SMTP sign-in has both a password and an access token.", e.Message);
        Assert.Equal("keep one of smtpPasswordFile, smtpPasswordEnv, smtpTokenFile, smtpTokenCommand and smtpOauth2.", e.Fix);
    }

    [Theory]
    [InlineData("", "passwordFile", "tokenFile", "the replay target's sign-in", "keep one of passwordFile, passwordEnv, tokenFile, tokenCommand and oauth2.")]
    [InlineData("checkIn", "checkInPasswordFile", "checkInTokenCommand", "the replay check-in mailbox's sign-in", "keep one of checkInPasswordFile, checkInPasswordEnv, checkInTokenFile, checkInTokenCommand and checkInOauth2.")]
    public async Task A_password_and_a_token_in_the_replay_section_are_refused_naming_the_key(string prefix, string passwordKey, string tokenKey, string who, string fix)
    {
        var replay = new JsonObject { [passwordKey] = bed.PasswordFile, [tokenKey] = tokenKey.EndsWith("Command", StringComparison.Ordinal) ? "/bin/true" : bed.PasswordFile };
        if (prefix.Length > 0)
            replay["checkIn"] = "imap://u@127.0.0.1/INBOX";
        var config = new JsonObject
        {
            ["archive"] = dir.Sub("archive"),
            ["accounts"] = new JsonArray(new JsonObject { ["protocol"] = "imap", ["host"] = "127.0.0.1", ["user"] = "u", ["passwordFile"] = bed.PasswordFile }),
            ["replay"] = replay,
        };
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());

        var e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(dir.Sub("config.json")));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal($"configuration: replay.{passwordKey}: {who} has both a password and an access token.", e.Message);
        Assert.Equal(fix, e.Fix);
    }

    [Fact]
    public async Task An_unknown_provider_in_the_alert_mails_oauth2_is_refused_naming_the_key()
    {
        var config = new JsonObject
        {
            ["archive"] = dir.Sub("archive"),
            ["accounts"] = new JsonArray(new JsonObject { ["protocol"] = "imap", ["host"] = "127.0.0.1", ["user"] = "u", ["passwordFile"] = bed.PasswordFile }),
            ["alerts"] = new JsonObject
            {
                ["mail"] = new JsonObject { ["smtp"] = "smtp://u@127.0.0.1:587", ["to"] = new JsonArray("admin@example.test"), ["smtpOauth2"] = new JsonObject { ["provider"] = "yahoo" } },
            },
        };
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());

        var e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(dir.Sub("config.json")));

        Assert.Contains("alerts.mail.smtpOauth2.provider: 'yahoo' is not an OAuth2 provider", e.Message, StringComparison.Ordinal);
    }

    private JsonObject AlertConfig(string sender, string admin) => new()
    {
        ["archive"] = dir.Sub("archive"),
        ["caFile"] = bed.CaFile,
        ["accounts"] = new JsonArray(new JsonObject { ["protocol"] = "imap", ["host"] = "127.0.0.1", ["port"] = bed.ImapsPort, ["user"] = "u", ["passwordFile"] = bed.PasswordFile }),
        ["alerts"] = new JsonObject
        {
            ["mail"] = new JsonObject
            {
                ["smtp"] = $"smtp://{sender}%40example.test@127.0.0.1:{bed.SubmissionPort}",
                ["smtpTokenFile"] = dir.Sub("smtp-token"),
                ["from"] = $"{sender}@example.test",
                ["to"] = new JsonArray($"{admin}@example.test"),
            },
        },
    };

    /// <summary>Loads the configuration as a verb does and evaluates one condition through its alerts section.</summary>
    private async Task<AlertRunReport> AlertAsync(JsonObject config, StatusCondition condition, bool fresh = false)
    {
        await File.WriteAllTextAsync(dir.Sub("config.json"), config.ToJsonString());
        AlertOptions options = ConfigLoader.Load(dir.Sub("config.json")).Alerts!;
        if (fresh)
            File.Delete(Path.Combine(dir.Path, "alerts.json"));
        using var run = new AlertRun(options, dir.Sub("archive"), dir.Path, new FakeTimeProvider(DateTimeOffset.UtcNow), NullLogger.Instance);
        return await run.EvaluateAsync([condition], CancellationToken.None);
    }
}
