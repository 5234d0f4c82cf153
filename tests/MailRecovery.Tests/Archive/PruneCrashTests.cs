using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Archive;

/// <summary>
/// A prune cut short after each of its steps (<see cref="PruneStep"/>): verify never calls the result damage, the
/// next writer's open or a reindex finishes the prune (no pruned file is adopted again), and the end state is the
/// one of an uninterrupted prune.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class PruneCrashTests(TestBedFixture bed)
{
    private sealed class Crash : Exception;

    [Theory]
    [InlineData(PruneStep.RowsCommitted, PruneFixture.Old)]
    [InlineData(PruneStep.FileRemoved, PruneFixture.Old - 1)]
    [InlineData(PruneStep.FilesDurable, 0)]
    public async Task A_prune_cut_short_is_never_damage_and_is_finished_not_undone(PruneStep step, int pendingAfterCrash)
    {
        using var dir = new TempDirectory();
        string template = dir.Sub("template");
        var (_, _, recentIds) = await PruneFixture.ArchiveAsync(bed, template, "pc");
        DateTimeOffset cutoff = PruneCutoff.For(DateTimeOffset.UtcNow, 60, 30);

        foreach (string finisher in new[] { "reopen", "reindex" })
        {
            string archive = dir.Sub(finisher);
            PruneFixture.CopyTree(template, archive);
            using (MessageArchive writer = await MessageArchive.OpenAsync(archive, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None))
                Assert.Throws<Crash>(() => ArchivePruner.Prune(writer, cutoff, s => { if (s == step) throw new Crash(); }));

            // Right after the crash, before anyone finishes it: rows gone, some files left, and that is no damage.
            VerifyReport crashed = await VerifyAsync(archive);
            Assert.True(crashed.IsSound, string.Join("; ", crashed.Problems));
            Assert.Equal(pendingAfterCrash, crashed.PrunePending.Count);
            Assert.Equal(recentIds.Order(StringComparer.Ordinal), PruneFixture.IndexedIds(archive));
            CliRunner.Result cli = await CliRunner.RunAsync("archive", "verify", "--archive", archive, "--json");
            Assert.Equal(0, cli.ExitCode);
            Assert.Contains($"\"prunePending\": {pendingAfterCrash}", cli.Out, StringComparison.Ordinal);

            if (finisher == "reopen")
            {
                using MessageArchive reopened = await MessageArchive.OpenAsync(archive, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
            }
            else
            {
                using MessageArchive rebuild = await MessageArchive.OpenAsync(archive, ArchiveAccess.Rebuild, TimeProvider.System, CancellationToken.None);
                await ArchiveReindexer.ReindexAsync(rebuild, null, CancellationToken.None);
            }

            VerifyReport finished = await VerifyAsync(archive);
            Assert.True(finished.IsSound, string.Join("; ", finished.Problems));
            Assert.Empty(finished.PrunePending);
            Assert.Equal(recentIds.Order(StringComparer.Ordinal), PruneFixture.IndexedIds(archive));
            Assert.Equal(PruneFixture.Recent, PruneFixture.FileCount(archive));
        }
    }

    private static async Task<VerifyReport> VerifyAsync(string archive)
    {
        using MessageArchive reader = await MessageArchive.OpenAsync(archive, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
        return await ArchiveVerifier.VerifyAsync(reader, null, CancellationToken.None);
    }
}
