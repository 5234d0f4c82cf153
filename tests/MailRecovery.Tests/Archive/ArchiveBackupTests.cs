using System.Text.Json;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Archive;

/// <summary>
/// <c>archive backup</c> of an archive a real <c>watch</c> is writing (mail delivered through Postfix all along),
/// and <c>archive restore</c> of such a backup: the result is sound and holds exactly what the backup's index lists.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ArchiveBackupTests(TestBedFixture bed)
{
    [Fact]
    public async Task Backups_taken_while_watch_archives_restore_to_sound_archives_with_the_backups_messages()
    {
        string user = TestBedFixture.NewUser("bk");
        await bed.LoadAsync(user, Enumerable.Range(0, 20).Select(i => TestMessages.Simple(i, $"bk{i}.{user}@example.org")));
        using var dir = new TempDirectory();
        string live = dir.Sub("archive");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using MessageArchive archive = await MessageArchive.OpenAsync(live, ArchiveAccess.ReadWrite, TimeProvider.System, cts.Token);
        // Each batch lingers between its files and its commit: the window a backup must not trip over.
        using var watch = new WatchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust),
            Fetcher.FastOptions(step => { if (step == FetchStep.FilesDurable) Thread.Sleep(30); }, batch: 3),
            new WatchOptions { PollInterval = TimeSpan.FromSeconds(1), RetryDelay = TimeSpan.FromMilliseconds(200) }, NullLogger.Instance);
        Task running = watch.RunAsync([Fetcher.Account(bed, bed.Imaps(user))], cts.Token);
        using var stopSending = new CancellationTokenSource();
        int sent = 0;
        Task sending = Task.Run(async () =>
        {
            while (!stopSending.IsCancellationRequested)
            {
                await bed.SendAsync($"{user}@example.test", $"during backup {sent}");
                sent++;
                await Task.Delay(20);
            }
        });

        var backups = new List<(string Dir, int Messages)>();
        try
        {
            while (archive.Index.CountMessages() < 5)
                await Task.Delay(50, cts.Token);
            for (int i = 0; i < 4; i++)
            {
                string to = dir.Sub($"backup{i}");
                CliRunner.Result backup = await CliRunner.RunAsync("archive", "backup", "--archive", live, "--to", to, "--json");
                Assert.True(backup.ExitCode == 0, backup.Out + backup.Error);
                using JsonDocument report = JsonDocument.Parse(backup.Out);
                Assert.True(report.RootElement.GetProperty("sound").GetBoolean());
                backups.Add((to, report.RootElement.GetProperty("messages").GetInt32()));
                await Task.Delay(300, cts.Token);
            }

            // Refused while watch holds the archive.
            CliRunner.Result busy = await CliRunner.RunAsync("archive", "restore", "--from", backups[0].Dir, "--archive", live);
            Assert.Equal(2, busy.ExitCode);
            Assert.Contains("in use", busy.Error, StringComparison.Ordinal);
        }
        finally
        {
            await stopSending.CancelAsync();
            await sending;
            await cts.CancelAsync();
            await running;
        }

        Assert.True(sent > 0 && backups[^1].Messages > backups[0].Messages, $"sent {sent}; backups held {string.Join(", ", backups.Select(b => b.Messages))}: watch did not write during the backups");
        foreach (var (backupDir, messages) in backups)
        {
            HashSet<string> listed = IndexedFiles(backupDir);
            Assert.Equal(messages, listed.Count);
            string restored = dir.Sub(Path.GetFileName(backupDir) + "-restored");
            CliRunner.Result restore = await CliRunner.RunAsync("archive", "restore", "--from", backupDir, "--archive", restored, "--json");
            Assert.True(restore.ExitCode == 0, restore.Out + restore.Error);
            CliRunner.Result verify = await CliRunner.RunAsync("archive", "verify", "--archive", restored, "--json");
            Assert.True(verify.ExitCode == 0, verify.Out);
            Assert.Equal(listed, IndexedFiles(restored));
            Assert.Equal(listed, new HashSet<string>(ArchiveCataloguer.ListFiles(new ArchiveLayout(restored)).Keys));
        }
    }

    [Fact]
    public async Task Restore_over_an_archive_moves_it_aside_and_counts_what_only_it_holds()
    {
        using var dir = new TempDirectory();
        string live = dir.Sub("archive");
        var (user, _, _) = await PruneFixture.ArchiveAsync(bed, live, "bkr");
        string backup = dir.Sub("backup");
        CliRunner.Result made = await CliRunner.RunAsync("archive", "backup", "--archive", live, "--to", backup, "--copy", "--json");
        Assert.Equal(0, made.ExitCode);
        DateTimeOffset taken;
        using (JsonDocument report = JsonDocument.Parse(made.Out))
        {
            Assert.Equal(PruneFixture.Old + PruneFixture.Recent, report.RootElement.GetProperty("copied").GetInt32());
            taken = report.RootElement.GetProperty("takenUtc").GetDateTimeOffset();
        }

        // Copies keep the receipt time as mtime, like the originals.
        foreach (var (name, path) in ArchiveCataloguer.ListFiles(new ArchiveLayout(backup)))
            Assert.Equal(File.GetLastWriteTimeUtc(new ArchiveLayout(live).Resolve(name)!), File.GetLastWriteTimeUtc(path));

        await bed.LoadAsync(user, [TestMessages.Simple(500, $"later.{user}@example.org")]);
        Assert.Equal(0, (await Fetcher.RunAsync(live, Fetcher.Account(bed, bed.Imaps(user)))).ExitCode);

        await Task.Delay(1100); // the restore's own moment is another second than the backup's
        CliRunner.Result restore = await CliRunner.RunAsync("archive", "restore", "--from", backup, "--archive", live);
        Assert.True(restore.ExitCode == 0, restore.Out + restore.Error);
        Assert.Contains($"from the backup as of {taken.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC", restore.Out, StringComparison.Ordinal);
        Assert.Contains("it holds 1 message(s) the backup does not", restore.Out, StringComparison.Ordinal);
        Assert.Contains("With policy keep it is still on the server", restore.Out, StringComparison.Ordinal);
        string aside = Assert.Single(Directory.GetDirectories(dir.Path, "archive.before-restore-*"));
        Assert.Equal(PruneFixture.Old + PruneFixture.Recent + 1, IndexedFiles(aside).Count);
        Assert.Equal(IndexedFiles(backup), IndexedFiles(live));

        // Keep policy: the next fetch brings the later message back.
        var fetch = await Fetcher.RunAsync(live, Fetcher.Account(bed, bed.Imaps(user)));
        Assert.Equal(1, fetch.Accounts.Sum(a => a.Fetched));
    }

    [Fact]
    public async Task Backup_refuses_a_destination_inside_the_archive_or_not_empty()
    {
        using var dir = new TempDirectory();
        string live = dir.Sub("archive");
        await PruneFixture.ArchiveAsync(bed, live, "bkx");

        CliRunner.Result inside = await CliRunner.RunAsync("archive", "backup", "--archive", live, "--to", Path.Combine(live, "backup"));
        Assert.Equal(2, inside.ExitCode);
        Assert.Contains("inside the archive", inside.Error, StringComparison.Ordinal);

        string full = dir.Sub("full");
        Directory.CreateDirectory(full);
        await File.WriteAllTextAsync(Path.Combine(full, "x"), "x");
        CliRunner.Result notEmpty = await CliRunner.RunAsync("archive", "backup", "--archive", live, "--to", full);
        Assert.Equal(2, notEmpty.ExitCode);
        Assert.Contains("not empty", notEmpty.Error, StringComparison.Ordinal);

        // A damaged archive gives no backup: the copy's verify fails, nothing takes the name, no staging is left.
        string victim = ArchiveCataloguer.ListFiles(new ArchiveLayout(live)).Values.First();
        byte[] bytes = await File.ReadAllBytesAsync(victim);
        bytes[^3] ^= 0x20;
        await File.WriteAllBytesAsync(victim, bytes);
        string to = dir.Sub("backup");
        CliRunner.Result damaged = await CliRunner.RunAsync("archive", "backup", "--archive", live, "--to", to);
        Assert.Equal(1, damaged.ExitCode);
        Assert.Contains("hash-mismatch", damaged.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(to));
        Assert.DoesNotContain(Directory.GetFileSystemEntries(dir.Path), e => Path.GetFileName(e).StartsWith('.'));
    }

    [Fact]
    public async Task Backup_and_restore_run_as_root_belong_to_the_archives_user_not_to_root()
    {
        Assert.Equal("0", (await TestBedFixture.RunAsync("id", "-u")).Trim()); // the bed needs root; so does this test
        using var dir = new TempDirectory();
        string live = dir.Sub("archive");
        await PruneFixture.ArchiveAsync(bed, live, "bko");
        await TestBedFixture.RunAsync("chown", $"-R mail:mail {live}");
        string uid = (await TestBedFixture.RunAsync("id", "-u mail")).Trim();

        string backup = dir.Sub("backup");
        Assert.Equal(0, (await CliRunner.RunAsync("archive", "backup", "--archive", live, "--to", backup, "--copy")).ExitCode);
        string restored = dir.Sub("restored");
        Assert.Equal(0, (await CliRunner.RunAsync("archive", "restore", "--from", backup, "--archive", restored)).ExitCode);

        foreach (string tree in new[] { backup, restored })
            Assert.Equal(string.Empty, (await TestBedFixture.RunAsync("find", $"{tree} ! -uid {uid}")).Trim());
        Assert.Equal(string.Empty, (await TestBedFixture.RunAsync("find", $"{live} ! -uid {uid}")).Trim());
    }

    private static HashSet<string> IndexedFiles(string root)
    {
        using ArchiveIndex index = ArchiveIndex.Open(new ArchiveLayout(root).IndexPath, readOnly: true);
        return index.AllFiles();
    }
}
