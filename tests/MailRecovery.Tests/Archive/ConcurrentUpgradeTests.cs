using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Archive;

/// <summary>
/// A reader (verify, backup) and a writer (watch) that open an index of an older schema at the same moment both
/// upgrade it: each step must be applied once, whoever comes second finding it done, never "duplicate column".
/// </summary>
public sealed class ConcurrentUpgradeTests
{
    [Fact]
    public async Task A_reader_and_a_writer_upgrading_the_same_index_at_once_both_succeed()
    {
        string fixture = Path.Combine(TestBedFixture.RepoRoot, "tests", "MailRecovery.Tests", "Fixtures", "archive-v1", "mailrecovery", "index.sqlite");
        using var dir = new TempDirectory();
        for (int i = 0; i < 40; i++)
        {
            string path = dir.Sub($"index{i}.sqlite");
            File.Copy(fixture, path);
            using var start = new Barrier(2);
            Task<int> writer = Task.Run(() => { start.SignalAndWait(); using ArchiveIndex index = ArchiveIndex.Open(path, readOnly: false); return (int)index.CountMessages(); });
            Task<int> reader = Task.Run(() => { start.SignalAndWait(); using ArchiveIndex index = ArchiveIndex.Open(path, readOnly: true); return (int)index.CountMessages(); });
            int[] counts = await Task.WhenAll(writer, reader);
            Assert.Equal(counts[0], counts[1]);
        }
    }
}
