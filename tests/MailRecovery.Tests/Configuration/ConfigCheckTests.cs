using System.Text.Json;
using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Errors;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Configuration;

/// <summary>
/// <c>config check</c> against the real bed: with <c>--online</c> a wrong password, an untrusted CA and a missing
/// mailbox are each named on their own row with a fix in the configuration's words, and the mailboxes are as
/// they were afterwards (EXAMINE, never SELECT); without it, every password file is opened and checked.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ConfigCheckTests(TestBedFixture bed) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Online_check_names_a_wrong_password_an_untrusted_ca_and_a_missing_mailbox_each_on_its_own_row_and_changes_nothing()
    {
        string copy = TestBedFixture.NewUser("cc"), help = TestBedFixture.NewUser("ch"), other = TestBedFixture.NewUser("co");
        await bed.LoadAsync(copy, [TestMessages.Simple(1, "c1@example.org"), TestMessages.Simple(2, "c2@example.org")]);
        await bed.LoadAsync(help, [TestMessages.Simple(3, "h1@example.org")]);
        await SetSeenAsync(copy, 1); // a flag the check must leave alone
        string wrong = Path.Combine(dir.Path, "wrong.password");
        await SecretFile.WriteAsync(wrong, "not-the-password\n");
        string otherCa = Path.Combine(dir.Path, "other.pem");
        await TestBedFixture.RunAsync("openssl", $"req -x509 -newkey rsa:2048 -nodes -keyout {dir.Path}/other.key -out {otherCa} -days 2 -subj /CN=not-the-bed");
        string config = await WriteConfigAsync($$"""
            "accounts": [
              { "name": "copy", "protocol": "imap", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "{{copy}}", "passwordFile": "{{bed.PasswordFile}}",
                "mailboxes": ["INBOX", "Nope"],
                "primary": { "protocol": "imap", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "{{help}}", "passwordFile": "{{wrong}}" } },
              { "name": "other", "protocol": "imap", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "{{other}}", "passwordFile": "{{bed.PasswordFile}}", "caFile": "{{otherCa}}" }
            ]
            """);
        string copyBefore = await StateAsync(copy), helpBefore = await StateAsync(help);

        var text = await CliRunner.RunAsync("config", "check", "--config", config, "--online");
        var json = await CliRunner.RunAsync("config", "check", "--config", config, "--online", "--json");

        Assert.True(text.ExitCode == ExitCodes.Usage, text.Out + text.Error);
        Assert.Equal(ExitCodes.Usage, json.ExitCode);
        Dictionary<string, JsonElement> rows = JsonDocument.Parse(json.Out).RootElement.GetProperty("endpoints").EnumerateArray()
            .ToDictionary(r => r.GetProperty("key").GetString()!, r => r);
        Assert.Equal("ok", rows["accounts[0]"].GetProperty("verdict").GetString());
        Assert.Equal("ok", rows["accounts[0].mailboxes[0]"].GetProperty("verdict").GetString());
        Assert.Equal("usage", rows["accounts[0].mailboxes[1]"].GetProperty("verdict").GetString());
        Assert.Contains("'Nope' does not exist", rows["accounts[0].mailboxes[1]"].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("authentication", rows["accounts[0].primary"].GetProperty("verdict").GetString());
        Assert.Contains("\"accounts[0].primary.passwordFile\"", rows["accounts[0].primary"].GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.Equal("certificate", rows["accounts[1]"].GetProperty("verdict").GetString());
        Assert.Contains("\"accounts[1].caFile\"", rows["accounts[1]"].GetProperty("fix").GetString(), StringComparison.Ordinal);

        // Text: one row per endpoint, each failing one followed by its fix.
        string[] lines = text.Out.Split('\n');
        foreach ((string key, string verdict) in new[] { ("accounts[0].mailboxes[1]", "USAGE"), ("accounts[0].primary", "AUTHENTICATION"), ("accounts[1]", "CERTIFICATE") })
        {
            int row = Array.FindIndex(lines, l => l.TrimStart().StartsWith(key + " ", StringComparison.Ordinal));
            Assert.True(row >= 0, text.Out);
            Assert.Contains(verdict, lines[row], StringComparison.Ordinal);
            Assert.Contains("fix:", lines[row + 1], StringComparison.Ordinal);
        }

        Assert.Equal(copyBefore, await StateAsync(copy));
        Assert.Equal(helpBefore, await StateAsync(help));
    }

    [Fact]
    public async Task A_valid_configuration_passes_online_with_exit_0_including_the_probe_smtp_server()
    {
        string copy = TestBedFixture.NewUser("cv"), help = TestBedFixture.NewUser("cw");
        string config = await WriteConfigAsync($$"""
            "accounts": [
              { "name": "copy", "protocol": "imap", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "{{copy}}", "passwordFile": "{{bed.PasswordFile}}",
                "primary": { "protocol": "pop3", "host": "127.0.0.1", "port": {{bed.Pop3sPort}}, "user": "{{help}}", "passwordFile": "{{bed.PasswordFile}}" } }
            ],
            "probe": { "everyMinutes": 60, "smtp": "smtp://127.0.0.1:{{bed.SmtpPort}}", "alias": "support@example.test" }
            """);

        var result = await CliRunner.RunAsync("config", "check", "--config", config, "--online");

        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        Assert.Contains("accounts[0].primary", result.Out, StringComparison.Ordinal);
        Assert.Contains("probe.smtp", result.Out, StringComparison.Ordinal);
        Assert.Contains("result: all ok.", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offline_every_password_file_is_opened_and_one_open_to_others_is_named_by_its_key()
    {
        string loose = Path.Combine(dir.Path, "loose.password");
        await File.WriteAllTextAsync(loose, "secret\n");
        File.SetUnixFileMode(loose, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        string config = await WriteConfigAsync($$"""
            "accounts": [ { "protocol": "imap", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "x", "passwordFile": "{{bed.PasswordFile}}" } ],
            "replay": { "passwordFile": "{{loose}}" }
            """);

        var result = await CliRunner.RunAsync("config", "check", "--config", config);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("can be read or changed by group or others", result.Out, StringComparison.Ordinal);
        Assert.Contains("\"replay.passwordFile\"", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_alone_exits_75()
    {
        string config = await WriteConfigAsync($$"""
            "accounts": [ { "protocol": "imap", "host": "127.0.0.1", "port": 1, "user": "x", "passwordFile": "{{bed.PasswordFile}}" } ]
            """);

        var result = await CliRunner.RunAsync("config", "check", "--config", config, "--online");

        Assert.True(result.ExitCode == ExitCodes.TemporaryFailure, result.Out + result.Error);
        Assert.Contains("TRANSIENT", result.Out, StringComparison.Ordinal);
    }

    private async Task<string> WriteConfigAsync(string body)
    {
        string path = Path.Combine(dir.Path, $"config-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, $$"""{ "archive": "{{dir.Path}}/archive", "caFile": "{{bed.CaFile}}", {{body}} }""");
        return path;
    }

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

    /// <summary>The count and every message's Message-ID and flags (\Recent belongs to a session, not a message).</summary>
    private async Task<string> StateAsync(string user)
    {
        using ImapClient client = await ConnectAsync(user);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        if (client.Inbox.Count == 0)
            return "(empty)";
        var summaries = await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.Flags);
        return $"{client.Inbox.Count}: " + string.Join("; ", summaries.Select(s => $"{s.Envelope!.MessageId} {s.Flags & ~MessageFlags.Recent}").Order(StringComparer.Ordinal));
    }
}
