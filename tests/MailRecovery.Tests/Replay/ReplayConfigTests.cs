using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Errors;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay;

/// <summary>
/// <c>replay --config</c> reaches its target with the configuration's password and CA (the bed's certificate is
/// a private CA nobody's system trusts), and <c>--dry-run</c> connects and logs in first, changing nothing, so a
/// TLS or password problem shows before the real run.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ReplayConfigTests(TestBedFixture bed) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Replay_with_only_the_configuration_uses_its_ca_and_password_and_the_dry_run_checks_the_login()
    {
        (string config, string target) = await ArchiveAndConfigAsync(replaySection: $$"""{ "passwordFile": "{{bed.PasswordFile}}" }""");
        string[] replay = ["replay", "--config", config, "--since", "2000-01-01T00:00Z", "--to", $"imaps://{target}@127.0.0.1:{bed.ImapsPort}/INBOX"];

        var dry = await CliRunner.RunAsync([.. replay, "--dry-run"]);
        Assert.True(dry.ExitCode == 0, dry.Out + dry.Error);
        Assert.Contains("target checked: connected and logged in", dry.Out, StringComparison.Ordinal);
        Assert.Equal(0, bed.CountMessages(target)); // the check changed nothing

        var dryJson = await CliRunner.RunAsync([.. replay, "--dry-run", "--json"]);
        using (var json = System.Text.Json.JsonDocument.Parse(dryJson.Out))
            Assert.Equal("connected and logged in", json.RootElement.GetProperty("targetCheck").GetString());

        var real = await CliRunner.RunAsync([.. replay, "--yes"]);
        Assert.True(real.ExitCode == 0, real.Out + real.Error);
        Assert.Contains("delivered 2", real.Out, StringComparison.Ordinal);
        Assert.Equal(2, await CountAsync(target));
    }

    [Fact]
    public async Task A_dry_run_with_a_wrong_password_fails_with_the_fix_before_anything_is_sent()
    {
        string wrong = Path.Combine(dir.Path, "wrong.password");
        await SecretFile.WriteAsync(wrong, "not-the-password\n");
        (string config, string target) = await ArchiveAndConfigAsync(replaySection: $$"""{ "passwordFile": "{{wrong}}" }""");

        var dry = await CliRunner.RunAsync("replay", "--config", config, "--since", "2000-01-01T00:00Z", "--to", $"imaps://{target}@127.0.0.1:{bed.ImapsPort}/INBOX", "--dry-run");

        Assert.Equal(ExitCodes.Usage, dry.ExitCode);
        Assert.Contains("fix:", dry.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("target checked", dry.Out, StringComparison.Ordinal);
        Assert.Equal(0, bed.CountMessages(target));
    }

    [Fact]
    public async Task A_dry_run_against_an_untrusted_certificate_fails_naming_the_ca_setting()
    {
        (string config, string target) = await ArchiveAndConfigAsync(replaySection: $$"""{ "passwordFile": "{{bed.PasswordFile}}" }""", caFile: null);

        var dry = await CliRunner.RunAsync("replay", "--config", config, "--since", "2000-01-01T00:00Z", "--to", $"imaps://{target}@127.0.0.1:{bed.ImapsPort}/INBOX", "--dry-run", "--json");

        Assert.Equal(ExitCodes.Usage, dry.ExitCode);
        Assert.Contains("not trusted", dry.Error, StringComparison.Ordinal);
        Assert.Contains("caFile", dry.Error, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(dry.Out);
        Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task A_dry_run_to_smtp_and_lmtp_checks_the_connection()
    {
        (string config, string target) = await ArchiveAndConfigAsync(replaySection: null);
        string[] window = ["replay", "--config", config, "--since", "2000-01-01T00:00Z", "--rcpt", $"{target}@example.test", "--dry-run"];

        var lmtp = await CliRunner.RunAsync([.. window, "--to", $"lmtp://127.0.0.1:{bed.LmtpPort}"]);
        var smtp = await CliRunner.RunAsync([.. window, "--to", $"smtp://127.0.0.1:{bed.SmtpPort}"]);
        var closed = await CliRunner.RunAsync([.. window, "--to", "lmtp://127.0.0.1:1"]);

        Assert.True(lmtp.ExitCode == 0, lmtp.Out + lmtp.Error);
        Assert.Contains("target checked: connected (LMTP has no login)", lmtp.Out, StringComparison.Ordinal);
        Assert.True(smtp.ExitCode == 0, smtp.Out + smtp.Error);
        Assert.Contains("target checked: connected", smtp.Out, StringComparison.Ordinal);
        Assert.NotEqual(0, closed.ExitCode);
        Assert.Contains("fix:", closed.Error, StringComparison.Ordinal);
        Assert.Equal(0, bed.CountMessages(target));
    }

    [Fact]
    public async Task A_dry_run_to_a_file_target_checks_the_directory_is_writable_and_creates_nothing()
    {
        (string config, _) = await ArchiveAndConfigAsync(replaySection: null);
        string outDir = Path.Combine(dir.Path, "restore", "Maildir");

        var dry = await CliRunner.RunAsync("replay", "--config", config, "--since", "2000-01-01T00:00Z", "--to", $"maildir:{outDir}", "--dry-run");

        Assert.True(dry.ExitCode == 0, dry.Out + dry.Error);
        Assert.Contains($"target checked: {dir.Path} is writable (the run creates {outDir})", dry.Out, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "restore")));
        Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => Path.GetFileName(f).StartsWith(".mailrecovery-check", StringComparison.Ordinal));
    }

    /// <summary>An archive of two messages fetched from the bed, a configuration for it, and an empty target user.</summary>
    private async Task<(string Config, string TargetUser)> ArchiveAndConfigAsync(string? replaySection, string? caFile = "bed")
    {
        string source = TestBedFixture.NewUser("rs");
        string target = TestBedFixture.NewUser("rt");
        await bed.LoadAsync(source, Enumerable.Range(0, 2).Select(i => TestMessages.Simple(i, $"{source}-{i}@example.org")));
        await bed.LoadAsync(target, []);
        string archive = Path.Combine(dir.Path, "archive");
        var fetched = await Fetcher.RunAsync(archive, Fetcher.Account(bed, bed.Imaps(source)));
        Assert.Equal(2, fetched.Fetched);

        string config = Path.Combine(dir.Path, "mailrecovery.json");
        string ca = caFile is null ? string.Empty : $"\"caFile\": \"{bed.CaFile}\",";
        string replay = replaySection is null ? string.Empty : $", \"replay\": {replaySection}";
        await File.WriteAllTextAsync(config, $$"""
            { "archive": "{{archive}}", {{ca}}
              "accounts": [ { "protocol": "imap", "host": "127.0.0.1", "port": {{bed.ImapsPort}}, "user": "{{source}}", "passwordFile": "{{bed.PasswordFile}}" } ]{{replay}} }
            """);
        return (config, target);
    }

    private async Task<int> CountAsync(string user)
    {
        using var client = new ImapClient();
        client.ServerCertificateValidationCallback = bed.Trust.Validate;
        await client.ConnectAsync("127.0.0.1", bed.ImapsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(user, bed.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        return client.Inbox.Count;
    }
}
