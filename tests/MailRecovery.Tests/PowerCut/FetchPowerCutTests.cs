using System.Diagnostics;
using System.Security.Cryptography;
using MailRecovery.Tests.Fetch;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.PowerCut;

/// <summary>
/// <c>fetch --policy delete</c> into a new archive on a file system that keeps only what was fsynced, the
/// power cut at random moments and after the run: every message the server no longer has survives in the
/// archive, and the next fetch (recovery) ends with every message exactly once and the server empty.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class FetchPowerCutTests(TestBedFixture bed)
{
    private const int Messages = 40;

    /// <summary>Cut after the run (delay -1) or after a random delay of a seeded run (the seed makes it repeatable).</summary>
    [Theory]
    [InlineData(-1, "delete")]
    [InlineData(1, "delete")]
    [InlineData(2, "delete")]
    [InlineData(3, "delete")]
    [InlineData(-1, "keep")]
    [InlineData(4, "keep")]
    public async Task A_power_cut_loses_nothing_deleted_from_the_server(int seed, string policy)
    {
        string user = TestBedFixture.NewUser("pc");
        byte[][] messages = Enumerable.Range(0, Messages).Select(i => TestMessages.Simple(i, $"cut{i}.{user}@example.org", body: new string('x', 20_000))).ToArray();
        await bed.LoadAsync(user, messages);
        var all = messages.Select(FetchImapTests.Sha).Order(StringComparer.Ordinal).ToList();

        using StrictFileSystem fs = await StrictFileSystem.MountAsync();
        string[] fetch = ["fetch", "--archive", Path.Combine(fs.Mount, "archive"), "--source", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}",
            "--policy", policy, "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile];
        var clock = Stopwatch.StartNew();
        using (Process run = CliRunner.Start(null, fetch))
        {
            Task<string> output = run.StandardOutput.ReadToEndAsync();
            if (seed < 0)
            {
                await run.WaitForExitAsync();
                Assert.True(run.ExitCode == 0, await output + await run.StandardError.ReadToEndAsync());
            }
            else
            {
                // Somewhere between the first deletions and the end (an uncut run takes about 2.5 s here).
                await Task.Delay(TimeSpan.FromMilliseconds(new Random(seed).Next(300, 2500)));
                run.Kill(entireProcessTree: true);
                await run.WaitForExitAsync();
            }
        }

        string survivors = await fs.CutAsync();
        string archive = Path.Combine(survivors, "archive");
        var onServer = ServerHashes(user);
        var inArchive = Directory.Exists(archive) ? FileHashes(archive) : [];
        var lost = all.Where(h => !onServer.Contains(h) && !inArchive.Contains(h)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {all.Count - onServer.Count} messages deleted from the server are not in the archive after the cut ({clock.ElapsedMilliseconds} ms)");

        // Recovery: the next fetch opens what survived, takes the rest, and stores nothing twice.
        var recovered = await CliRunner.RunAsync(fetch.Select(a => a == Path.Combine(fs.Mount, "archive") ? archive : a).ToArray());
        Assert.True(recovered.ExitCode == 0, recovered.Out + recovered.Error);
        ArchiveSnapshot snapshot = ArchiveSnapshot.Take(archive);
        Assert.Equal(all, snapshot.FileHashes);
        Assert.Equal(all, snapshot.IndexHashes);
        Assert.Equal(policy == "delete" ? 0 : Messages, bed.CountMessages(user));
    }

    private HashSet<string> ServerHashes(string user)
    {
        string maildir = bed.Maildir(user);
        return Directory.Exists(maildir) ? FileHashes(maildir) : [];
    }

    /// <summary>Hashes of the message files in a Maildir's cur/ and new/ (Dovecot's or the archive's).</summary>
    private static HashSet<string> FileHashes(string maildir) =>
        new[] { "cur", "new" }.Select(d => Path.Combine(maildir, d)).Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles)
            .Select(f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))))
            .ToHashSet(StringComparer.Ordinal);
}
