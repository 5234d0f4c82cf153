using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.Fetch;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Archive;

/// <summary>
/// <c>archive verify</c> runs beside a fetch or watch (monitoring does that): the files of a batch that is
/// durable but not yet committed are "in flight", not damage, and verify does not fail on a healthy archive.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class VerifyBesideFetchTests(TestBedFixture bed)
{
    [Fact]
    public async Task A_batch_between_its_files_and_its_commit_is_in_flight_not_a_problem()
    {
        string user = TestBedFixture.NewUser("vif");
        byte[][] messages = Enumerable.Range(0, 6).Select(i => TestMessages.Simple(i, $"vif{i}.{user}@example.org")).ToArray();
        await bed.LoadAsync(user, messages);
        using var dir = new TempDirectory();
        using var paused = new ManualResetEventSlim();
        using var resume = new ManualResetEventSlim();
        int durable = 0;
        var options = Fetcher.FastOptions(step =>
        {
            // The first batch's files are in cur/ and fsynced; its rows are not committed until this returns.
            if (step == FetchStep.FilesDurable && Interlocked.Increment(ref durable) == 1)
            {
                paused.Set();
                resume.Wait(TimeSpan.FromSeconds(30));
            }
        }, batch: 2);
        Task<FetchReport> fetch = Task.Run(() => Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps(user)), options));
        try
        {
            Assert.True(paused.Wait(TimeSpan.FromSeconds(30)), "the fetch never reached its first durable batch");

            VerifyReport during;
            using (MessageArchive reader = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None))
                during = await ArchiveVerifier.VerifyAsync(reader, null, CancellationToken.None);
            var cli = await CliRunner.RunAsync("archive", "verify", "--archive", dir.Path, "--json");

            Assert.True(during.IsSound, string.Join("; ", during.Problems));
            Assert.Equal(2, during.InFlight.Count);
            Assert.Equal(0, cli.ExitCode);
            Assert.Contains("\"inFlight\": 2", cli.Out, StringComparison.Ordinal);
        }
        finally
        {
            resume.Set();
        }

        Assert.Equal(0, (await fetch).ExitCode);
        using MessageArchive after = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
        VerifyReport done = await ArchiveVerifier.VerifyAsync(after, null, CancellationToken.None);
        Assert.True(done.IsSound);
        Assert.Equal(6, done.Checked);
        Assert.Empty(done.InFlight);
    }

    [Fact]
    public async Task Verify_over_and_over_beside_a_running_fetch_never_fails()
    {
        string user = TestBedFixture.NewUser("vloop");
        byte[][] messages = Enumerable.Range(0, 300).Select(i => TestMessages.Simple(i, $"vloop{i}.{user}@example.org", body: new string('v', 20_000) + "\r\n")).ToArray();
        await bed.LoadAsync(user, messages);
        using var dir = new TempDirectory();

        // Each batch lingers a little between its files and its commit, the window verify must not call damage;
        // it also keeps the fetch running long enough for several verify runs on a loaded machine.
        Task<FetchReport> fetch = Task.Run(() => Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps(user)),
            Fetcher.FastOptions(step => { if (step == FetchStep.FilesDurable) Thread.Sleep(40); }, batch: 10)));
        var problems = new List<string>();
        int runs = 0;
        while (!fetch.IsCompleted)
        {
            if (!File.Exists(Path.Combine(dir.Path, "mailrecovery", "index.sqlite")))
            {
                await Task.Delay(10);
                continue;
            }

            using MessageArchive reader = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
            VerifyReport report = await ArchiveVerifier.VerifyAsync(reader, null, CancellationToken.None);
            problems.AddRange(report.Problems.Select(p => $"{p.Kind}: {p.File}"));
            runs++;
        }

        Assert.Equal(0, (await fetch).ExitCode);
        Assert.Empty(problems);
        Assert.True(runs > 1, $"only {runs} verify run(s) happened during the fetch");
    }
}
