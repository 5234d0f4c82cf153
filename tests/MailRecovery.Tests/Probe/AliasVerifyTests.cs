using System.Text.Json;
using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Probe;

/// <summary><c>alias verify</c> against the real Postfix alias and Dovecot mailboxes.</summary>
[Collection(TestBedCollection.Name)]
public sealed class AliasVerifyTests(TestBedFixture bed)
{
    [Fact]
    public async Task A_working_alias_passes_reports_both_latencies_and_cleanup_leaves_both_mailboxes_as_they_were()
    {
        string tag = TestBedFixture.NewUser("v");
        await bed.LoadAsync($"safety-{tag}", [TestMessages.Simple(1, "keep1@example.org"), TestMessages.Simple(2, "keep2@example.org")]);
        await bed.LoadAsync($"helpdesk-{tag}", [TestMessages.Simple(3, "keep3@example.org")]);
        await SetSeenAsync($"safety-{tag}", 0); // a flag the check must not touch
        var copyBefore = await StateAsync($"safety-{tag}");
        var primaryBefore = await StateAsync($"helpdesk-{tag}");

        var result = await VerifyAsync($"support-{tag}@example.test", tag, "--cleanup");

        Assert.Equal(0, result.ExitCode);
        JsonElement json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal("works", json.GetProperty("verdict").GetString());
        Assert.True(json.GetProperty("copy").GetProperty("latencySeconds").GetDouble() > 0);
        Assert.True(json.GetProperty("primary").GetProperty("latencySeconds").GetDouble() > 0);
        Assert.Contains($"support-{tag}@example.test", json.GetProperty("copy").GetProperty("deliveredTo").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(copyBefore, await StateAsync($"safety-{tag}"));
        Assert.Equal(primaryBefore, await StateAsync($"helpdesk-{tag}"));
    }

    [Theory]
    [InlineData("primaryonly", "delivers only to the primary")]
    [InlineData("copyonly", "delivers only to the copy")]
    public async Task A_half_broken_alias_fails_with_the_right_diagnosis(string kind, string diagnosis)
    {
        string tag = TestBedFixture.NewUser("h");

        var result = await VerifyAsync($"{kind}-{tag}@example.test", tag, timeoutSeconds: 3);

        Assert.Equal(1, result.ExitCode);
        JsonElement json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal("broken", json.GetProperty("verdict").GetString());
        Assert.Contains(diagnosis, json.GetProperty("findings")[0].GetProperty("problem").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_canonical_alias_edited_to_the_primary_only_is_caught()
    {
        await bed.TestBedAsync("set-alias primary-only");
        try
        {
            var result = await CliRunner.RunAsync("alias", "verify", "--smtp", $"smtp://127.0.0.1:{bed.SmtpPort}", "--alias", "support@example.test",
                "--copy", $"imaps://safety@127.0.0.1:{bed.ImapsPort}", "--primary", $"imaps://helpdesk@127.0.0.1:{bed.ImapsPort}",
                "--copy-password-file", bed.PasswordFile, "--primary-password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--timeout", "3", "--cleanup");

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("delivers only to the primary", result.Out, StringComparison.Ordinal);
            Assert.Contains("virtual_alias_maps", result.Out, StringComparison.Ordinal);
        }
        finally
        {
            await bed.TestBedAsync("set-alias both");
        }
    }

    [Theory]
    [InlineData("refused@example.test", "550", "refused the recipient")]
    [InlineData("support@elsewhere.test", "554", "relay denied")]
    public async Task A_recipient_refused_at_SMTP_is_reported_with_the_reply(string alias, string code, string diagnosis)
    {
        string tag = TestBedFixture.NewUser("r");

        var result = await CliRunner.RunAsync("alias", "verify", "--smtp", $"smtp://127.0.0.1:{bed.SmtpPort}", "--alias", alias,
            "--copy", $"imaps://safety-{tag}@127.0.0.1:{bed.ImapsPort}", "--copy-password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--json");

        Assert.Equal(1, result.ExitCode);
        JsonElement json = JsonDocument.Parse(result.Out).RootElement;
        Assert.False(json.GetProperty("smtp").GetProperty("accepted").GetBoolean());
        Assert.Equal(int.Parse(code, System.Globalization.CultureInfo.InvariantCulture), json.GetProperty("smtp").GetProperty("replyCode").GetInt32());
        Assert.Contains(diagnosis, json.GetProperty("findings")[0].GetProperty("problem").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_copy_server_is_could_not_tell()
    {
        var result = await CliRunner.RunAsync("alias", "verify", "--smtp", $"smtp://127.0.0.1:{bed.SmtpPort}", "--alias", "support@example.test",
            "--copy", "imaps://safety@127.0.0.1:1", "--copy-password-file", bed.PasswordFile, "--json");

        Assert.Equal(75, result.ExitCode);
    }

    [Fact]
    public async Task With_only_config_the_smtp_server_alias_copy_primary_passwords_and_ca_come_from_the_configuration()
    {
        string tag = TestBedFixture.NewUser("vc");
        using var dir = new TempDirectory();
        string config = Path.Combine(dir.Path, "config.json");
        await File.WriteAllTextAsync(config, $$"""
            { "archive": "{{dir.Sub("archive")}}", "caFile": "{{bed.CaFile}}",
              "accounts": [
                { "name": "other", "protocol": "imap", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "nobody-{{tag}}", "passwordFile": "{{bed.PasswordFile}}" },
                { "name": "copy", "protocol": "imap", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "safety-{{tag}}", "passwordFile": "{{bed.PasswordFile}}",
                  "primary": { "protocol": "imap", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "helpdesk-{{tag}}", "passwordFile": "{{bed.PasswordFile}}" } } ],
              "probe": { "everyMinutes": 60, "smtp": "smtp://127.0.0.1:{{bed.SmtpPort}}", "alias": "support-{{tag}}@example.test", "copyAccount": "copy", "timeoutSeconds": 20 } }
            """);

        var result = await CliRunner.RunAsync("alias", "verify", "--config", config, "--timeout", "20", "--json");

        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        JsonElement json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal("works", json.GetProperty("verdict").GetString());
        Assert.Contains($"safety-{tag}", json.GetProperty("copy").GetProperty("mailbox").GetString(), StringComparison.Ordinal);
        Assert.Contains($"helpdesk-{tag}", json.GetProperty("primary").GetProperty("mailbox").GetString(), StringComparison.Ordinal);
        // The configured archive does not exist yet: the result cannot be recorded, and that is said on stderr.
        Assert.Contains($"not recorded: the archive {dir.Sub("archive")} has no index yet", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Sub("archive")));
    }

    [Fact]
    public async Task Without_an_smtp_server_anywhere_the_fix_names_the_flag_and_the_configuration_key()
    {
        using var dir = new TempDirectory();
        string config = Path.Combine(dir.Path, "config.json");
        await File.WriteAllTextAsync(config, $$"""
            { "archive": "{{dir.Sub("archive")}}", "accounts": [ { "protocol": "imap", "host": "127.0.0.1", "user": "x", "passwordFile": "{{bed.PasswordFile}}" } ] }
            """);

        var result = await CliRunner.RunAsync("alias", "verify", "--config", config, "--alias", "support@example.test");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--smtp", result.Error, StringComparison.Ordinal);
        Assert.Contains("\"probe.smtp\"", result.Error, StringComparison.Ordinal);
    }

    private Task<CliRunner.Result> VerifyAsync(string alias, string tag, string? extra = null, int timeoutSeconds = 20) =>
        CliRunner.RunAsync(["alias", "verify", "--smtp", $"smtp://127.0.0.1:{bed.SmtpPort}", "--alias", alias,
            "--copy", $"imaps://safety-{tag}@127.0.0.1:{bed.ImapsPort}", "--primary", $"imaps://helpdesk-{tag}@127.0.0.1:{bed.ImapsPort}",
            "--copy-password-file", bed.PasswordFile, "--primary-password-file", bed.PasswordFile, "--ca-file", bed.CaFile, "--timeout", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", .. (extra is null ? Array.Empty<string>() : [extra])]);

    private async Task<ImapClient> ConnectAsync(string user)
    {
        var client = new ImapClient { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync("127.0.0.1", bed.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(user, bed.Password);
        return client;
    }

    private async Task SetSeenAsync(string user, int index)
    {
        using ImapClient client = await ConnectAsync(user);
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        await client.Inbox.StoreAsync([index], new StoreFlagsRequest(StoreAction.Add, MessageFlags.Seen) { Silent = true });
    }

    /// <summary>Every message's Message-ID and flags: what "as they were" means.</summary>
    private async Task<string> StateAsync(string user)
    {
        using ImapClient client = await ConnectAsync(user);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        if (client.Inbox.Count == 0)
            return "(empty)";
        var summaries = await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.Flags);
        // \Recent belongs to a session, not to the message: whoever opens the mailbox first takes it.
        return string.Join("; ", summaries.Select(s => $"{s.Envelope!.MessageId} {s.Flags & ~MessageFlags.Recent}").Order(StringComparer.Ordinal));
    }
}
