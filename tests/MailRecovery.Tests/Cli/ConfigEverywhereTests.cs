using System.Text.Json;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Cli;

/// <summary><c>--config</c> on the verbs an admin runs in an incident: the archive comes from the file, and a fix names it.</summary>
public sealed class ConfigEverywhereTests
{
    [Fact]
    public async Task Status_archive_verify_and_a_replay_dry_run_take_the_archive_from_the_configuration()
    {
        using var dir = new TempDirectory();
        using (await MessageArchive.OpenAsync(dir.Sub("archive"), ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None))
        {
        }

        string config = Path.Combine(dir.Path, "config.json");
        await File.WriteAllTextAsync(config, $$"""
            { "archive": "{{dir.Sub("archive")}}", "accounts": [ { "protocol": "imap", "host": "127.0.0.1", "user": "x", "passwordEnv": "UNSET_FOR_TEST" } ] }
            """);

        var status = await CliRunner.RunAsync("status", "--config", config, "--json");
        var verify = await CliRunner.RunAsync("archive", "verify", "--config", config, "--json");
        var replay = await CliRunner.RunAsync("replay", "--config", config, "--since", "2000-01-01T00:00:00Z", "--to", $"maildir:{dir.Sub("restore")}", "--dry-run", "--json");

        Assert.Equal(0, JsonDocument.Parse(status.Out).RootElement.GetProperty("messages").GetInt64());
        Assert.True(verify.ExitCode == 0, verify.Out + verify.Error);
        Assert.True(replay.ExitCode == 0, replay.Out + replay.Error);
    }

    [Fact]
    public async Task The_check_in_mailbox_comes_from_the_configuration_for_SMTP_and_LMTP_targets_only()
    {
        using var dir = new TempDirectory();
        using (await MessageArchive.OpenAsync(dir.Sub("archive"), ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None))
        {
        }

        string config = Path.Combine(dir.Path, "config.json");
        await File.WriteAllTextAsync(config, $$"""
            { "archive": "{{dir.Sub("archive")}}", "accounts": [ { "protocol": "imap", "host": "127.0.0.1", "user": "x", "passwordEnv": "UNSET_FOR_TEST" } ],
              "replay": { "checkIn": "imap://helpdesk@127.0.0.1:1/INBOX", "checkInPasswordEnv": "UNSET_FOR_TEST", "insecure": true } }
            """);

        // Port 1 answers nothing: the dry run's log-in through the check-in mailbox fails and names it, which shows
        // the configured mailbox was taken; a maildir target never looks there and succeeds.
        var lmtp = await CliRunner.RunAsync("replay", "--config", config, "--since", "2000-01-01T00:00:00Z", "--to", "lmtp://127.0.0.1:1", "--rcpt", "helpdesk@example.test", "--dry-run");
        var maildir = await CliRunner.RunAsync("replay", "--config", config, "--since", "2000-01-01T00:00:00Z", "--to", $"maildir:{dir.Sub("restore")}", "--dry-run");

        Assert.Contains("imap://helpdesk@127.0.0.1:1", lmtp.Out + lmtp.Error, StringComparison.Ordinal);
        Assert.True(maildir.ExitCode == 0, maildir.Out + maildir.Error);
        Assert.DoesNotContain("helpdesk@127.0.0.1", maildir.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replay_without_an_archive_names_both_the_flag_and_the_configuration()
    {
        using var dir = new TempDirectory();

        var replay = await CliRunner.RunAsync("replay", "--since", "2000-01-01T00:00:00Z", "--to", $"maildir:{dir.Sub("restore")}", "--dry-run");

        Assert.Equal(2, replay.ExitCode);
        Assert.Contains("--archive DIR", replay.Error, StringComparison.Ordinal);
        Assert.Contains("--config FILE", replay.Error, StringComparison.Ordinal);
    }
}
