using System.Globalization;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Archive;

/// <summary>
/// The verbs that only read (verify, status, replay --dry-run) work on an archive whose disk is full: a real
/// full tmpfs, after the last writer closed the index (so SQLite's WAL and shared-memory files are gone).
/// </summary>
public sealed class ReadOnlyOnFullDiskTests
{
    [Fact]
    public async Task Verify_status_and_a_dry_run_read_an_archive_on_a_full_disk()
    {
        await using SmallDisk disk = await SmallDisk.MountAsync();
        string root = disk.Sub("archive");
        await FillAsync(root, 20);
        await disk.FillAsync();
        using var elsewhere = new TempDirectory();

        var verify = await CliRunner.RunAsync("archive", "verify", "--archive", root);
        var status = await CliRunner.RunAsync("status", "--archive", root, "--json");
        var dryRun = await CliRunner.RunAsync("replay", "--archive", root, "--since", "2020-01-01T00:00Z", "--to", "maildir:" + elsewhere.Sub("md"), "--dry-run");

        Assert.True(verify.ExitCode == ExitCodes.Ok, verify.Error + verify.Out);
        Assert.Contains("20 messages checked", verify.Out, StringComparison.Ordinal);
        Assert.True(status.ExitCode != ExitCodes.TemporaryFailure && status.ExitCode != ExitCodes.Usage, status.Error + status.Out);
        Assert.Contains("\"messages\": 20", status.Out, StringComparison.Ordinal);
        Assert.True(dryRun.ExitCode == ExitCodes.Ok, dryRun.Error + dryRun.Out);
        Assert.Contains("20", dryRun.Out, StringComparison.Ordinal);
    }

    private static async Task FillAsync(string root, int count)
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(root, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        ArchiveBatch batch = archive.BeginBatch();
        for (int n = 0; n < count; n++)
        {
            byte[] bytes = TestMessages.Simple(n, $"full{n}@example.org");
            StagedMessage staged = await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None);
            batch.Add(staged, "imap://copy@mail.example.test:993", "INBOX", 1, n.ToString(CultureInfo.InvariantCulture));
        }

        batch.Commit();
    }
}
