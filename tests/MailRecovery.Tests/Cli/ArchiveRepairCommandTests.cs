using System.Text.Json;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Cli;

/// <summary><c>archive repair</c> and the damaged-index path of <c>archive reindex</c>, end to end against the real servers.</summary>
[Collection(TestBedCollection.Name)]
public sealed class ArchiveRepairCommandTests(TestBedFixture bed)
{
    [Fact]
    public async Task Repair_finds_bit_rot_fetch_cannot_see_puts_files_back_and_lists_the_lost_message_with_its_details()
    {
        string user = TestBedFixture.NewUser("cr");
        using var dir = new TempDirectory();
        string[] source = ["--archive", dir.Path, "--source", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}/INBOX", "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile];
        await bed.LoadAsync(user, [TestMessages.Simple(2, "cr2@example.org")]);
        Assert.Equal(0, (await CliRunner.RunAsync(["fetch", .. source, "--policy", "delete"])).ExitCode); // message 2 is now only in the archive
        await bed.LoadAsync(user, [TestMessages.Simple(0, "cr0@example.org"), TestMessages.Simple(1, "cr1@example.org")]);
        Assert.Equal(0, (await CliRunner.RunAsync(["fetch", .. source])).ExitCode);
        ArchiveSnapshot clean = ArchiveSnapshot.Take(dir.Path);

        // Bit rot: one byte changes, size and mtime do not; only a hash sees it.
        var (_, rotten) = ArchiveDamager.Find(dir.Path, "test message 0");
        DateTime mtime = File.GetLastWriteTimeUtc(rotten);
        ArchiveDamager.FlipByte(dir.Path, "test message 0");
        File.SetLastWriteTimeUtc(rotten, mtime);
        ArchiveDamager.Delete(dir.Path, "test message 1");
        ArchivedMessage gone = ArchiveDamager.Delete(dir.Path, "test message 2");

        var result = await CliRunner.RunAsync(["archive", "repair", .. source, "--json"]);

        Assert.Equal(1, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(result.Out);
        Assert.Equal(3, json.RootElement.GetProperty("damaged").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("repaired").GetInt32());
        JsonElement lost = Assert.Single(json.RootElement.GetProperty("lost").EnumerateArray());
        Assert.Equal(gone.File, lost.GetProperty("file").GetString());
        Assert.Equal("cr2@example.org", lost.GetProperty("messageId").GetString());
        Assert.Equal("test message 2", lost.GetProperty("subject").GetString());
        Assert.Contains("sender2@example.org", lost.GetProperty("from").GetString(), StringComparison.Ordinal);
        Assert.Equal(gone.Metadata.ReceivedAt, lost.GetProperty("receivedAt").GetDateTimeOffset());
        var now = ArchiveSnapshot.Take(dir.Path);
        Assert.Equal(clean.FileHashes.Count - 1, now.FileHashes.Count);
        Assert.Subset(clean.FileHashes.ToHashSet(), now.FileHashes.ToHashSet()); // the server's bytes, never the rotten ones
    }

    [Fact]
    public async Task A_garbage_index_is_named_with_its_fix_and_reindex_moves_it_aside_and_rebuilds()
    {
        string user = TestBedFixture.NewUser("cg");
        await bed.LoadAsync(user, Enumerable.Range(0, 2).Select(i => TestMessages.Simple(i, $"cg{i}@example.org")));
        using var dir = new TempDirectory();
        string[] source = ["--archive", dir.Path, "--source", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}/INBOX", "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile];
        Assert.Equal(0, (await CliRunner.RunAsync(["fetch", .. source])).ExitCode);
        var layout = new ArchiveLayout(dir.Path);
        File.WriteAllBytes(layout.IndexPath, new byte[4096]);
        foreach (string f in Directory.GetFiles(layout.DataDir, "index.sqlite-*"))
            File.Delete(f);

        var verify = await CliRunner.RunAsync("archive", "verify", "--archive", dir.Path);
        var reindex = await CliRunner.RunAsync("archive", "reindex", "--archive", dir.Path);
        var fetch = await CliRunner.RunAsync(["fetch", .. source, "--json"]);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("is damaged", verify.Error, StringComparison.Ordinal);
        Assert.Contains("mailrecovery archive reindex", verify.Error, StringComparison.Ordinal);
        Assert.Equal(0, reindex.ExitCode);
        Assert.Contains("moved aside to " + layout.IndexPath + ".corrupt-", reindex.Out, StringComparison.Ordinal);
        Assert.Equal(0, fetch.ExitCode);
        using JsonDocument json = JsonDocument.Parse(fetch.Out);
        Assert.Equal(0, json.RootElement.GetProperty("fetched").GetInt32());
        Assert.Equal(2, ArchiveSnapshot.Take(dir.Path).FileHashes.Count);
    }
}
