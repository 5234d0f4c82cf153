using System.Diagnostics;
using System.Text.RegularExpressions;
using MailRecovery.Tests.TestBed;
using Microsoft.Data.Sqlite;

namespace MailRecovery.Tests.PowerCut;

/// <summary>
/// Replay to a maildir, an mbox and an eml directory with the archive (and so the journal) and the target on a file system that
/// keeps only what was fsynced, the power cut during and after the run: every message the surviving journal
/// counts as delivered is in the surviving target, and the next replay ends with each message there once.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed partial class ReplayPowerCutTests(TestBedFixture bed)
{
    private const int Messages = 30;

    [Theory]
    [InlineData("maildir", -1)]
    [InlineData("maildir", 1)]
    [InlineData("mbox", -1)]
    [InlineData("mbox", 2)]
    [InlineData("eml", -1)]
    [InlineData("eml", 3)]
    public async Task A_power_cut_loses_nothing_counted_delivered(string kind, int seed)
    {
        string user = TestBedFixture.NewUser("pr");
        await bed.LoadAsync(user, Enumerable.Range(0, Messages).Select(i => TestMessages.Simple(i, $"rcut{i}.{user}@example.org", body: new string('y', 20_000))));
        using var plain = new TempDirectory();
        Assert.Equal(0, (await CliRunner.RunAsync("fetch", "--archive", plain.Sub("archive"), "--source", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}",
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile)).ExitCode);

        using StrictFileSystem fs = await StrictFileSystem.MountAsync();
        string archive = Path.Combine(fs.Mount, "archive");
        await TestBedFixture.RunAsync("cp", $"-a {plain.Sub("archive")} {archive}");
        StrictFileSystem.SyncTree(archive);
        string target = Path.Combine(fs.Mount, kind == "mbox" ? "out/replayed.mbox" : $"out/{kind}");
        string[] replay = ["replay", "--archive", archive, "--since", "2000-01-01T00:00Z", "--to", $"{kind}:{target}", "--yes"];
        using (Process run = CliRunner.Start(null, replay))
        {
            Task<string> output = run.StandardOutput.ReadToEndAsync();
            if (seed < 0)
            {
                await run.WaitForExitAsync();
                Assert.True(run.ExitCode == 0, await output + await run.StandardError.ReadToEndAsync());
            }
            else
            {
                await Task.Delay(TimeSpan.FromMilliseconds(new Random(seed).Next(300, 2000)));
                run.Kill(entireProcessTree: true);
                await run.WaitForExitAsync();
            }
        }

        // The cut; then what survived is put back at the same path (the journal names the target by its path).
        string survivors = await fs.CutAsync();
        await TestBedFixture.RunAsync("cp", $"-a {survivors}/. {fs.Mount}");
        var delivered = DeliveredMessageIds(archive);
        string found = TargetText(target);
        var missing = delivered.Where(id => !found.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {delivered.Count} messages the journal counts as delivered are not in the target after the cut");
        Assert.True(seed >= 0 || delivered.Count == Messages, $"the journal counts {delivered.Count} of {Messages} after a completed run");

        var recovered = await CliRunner.RunAsync(replay);
        Assert.True(recovered.ExitCode == 0, recovered.Out + recovered.Error);
        var counts = MessageIdHeader().Matches(TargetText(target)).GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Messages, counts.Count);
        Assert.All(counts, c => Assert.Equal(1, c.Value));
    }

    /// <summary>The Message-IDs of the archive files the journal counts as delivered.</summary>
    private static List<string> DeliveredMessageIds(string archive)
    {
        string data = Path.Combine(archive, "mailrecovery");
        if (!File.Exists(Path.Combine(data, "replay-journal.sqlite")))
            return [];
        using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "index.sqlite")};Pooling=False");
        connection.Open();
        using SqliteCommand cmd = connection.CreateCommand();
        cmd.CommandText = $"ATTACH DATABASE '{Path.Combine(data, "replay-journal.sqlite")}' AS j; " +
            "SELECT m.message_id FROM j.deliveries d JOIN messages m ON m.file = d.file WHERE d.state = 'Delivered'";
        var ids = new List<string>();
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
            ids.Add(r.GetString(0).Trim('<', '>'));
        return ids;
    }

    private static string TargetText(string target) =>
        File.Exists(target) ? File.ReadAllText(target)
        : !Directory.Exists(target) ? string.Empty
        : string.Concat(new[] { "cur", "new" }.Select(d => Path.Combine(target, d)).Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles).Concat(Directory.EnumerateFiles(target, "*.eml")).Select(File.ReadAllText));

    [GeneratedRegex(@"^Message-ID: <([^>]+)>\r?$", RegexOptions.Multiline)]
    private static partial Regex MessageIdHeader();
}
