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
    public async Task A_replay_without_an_archive_names_both_the_flag_and_the_configuration()
    {
        using var dir = new TempDirectory();

        var replay = await CliRunner.RunAsync("replay", "--since", "2000-01-01T00:00:00Z", "--to", $"maildir:{dir.Sub("restore")}", "--dry-run");

        Assert.Equal(2, replay.ExitCode);
        Assert.Contains("--archive DIR", replay.Error, StringComparison.Ordinal);
        Assert.Contains("--config FILE", replay.Error, StringComparison.Ordinal);
    }
}
