using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Tests.TestBed;
using Microsoft.Data.Sqlite;

namespace MailRecovery.Tests.Archive;

/// <summary>Archives users already have: the fixture was written by the first release (index schema 1).</summary>
public sealed class IndexUpgradeTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private string CopyFixture()
    {
        string root = dir.Sub("archive");
        CopyTree(Path.Combine(TestBedFixture.RepoRoot, "tests", "MailRecovery.Tests", "Fixtures", "archive-v1"), root);
        File.Delete(Path.Combine(root, "README.md"));
        return root;
    }

    [Fact]
    public async Task An_archive_of_the_first_release_is_upgraded_in_place_and_keeps_its_messages_and_journal()
    {
        string root = CopyFixture();
        var layout = new ArchiveLayout(root);
        Assert.Equal("1", Meta(layout.IndexPath, "schema_version"));

        using (MessageArchive archive = await MessageArchive.OpenAsync(root, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None))
        {
            Assert.Equal(1, archive.Index.UpgradedFrom);
            List<ArchivedMessage> rows = archive.Index.AllMessages().ToList();
            Assert.Equal(3, rows.Count);
            foreach (ArchivedMessage row in rows)
            {
                // Filled in from the file: the same value a fresh fetch computes.
                Assert.Equal(await MessageFingerprint.ComputeAsync(layout.Resolve(row.File)!, CancellationToken.None), row.Fingerprint);
                Assert.StartsWith("fixture-", row.Metadata.MessageId, StringComparison.Ordinal);
            }

            Assert.Equal(3, archive.Index.ArchivedServerIds("imap://fixv1@127.0.0.1:10143", "INBOX", 1795933946).Count);
        }

        Assert.Equal(IndexSchemaVersion, Meta(layout.IndexPath, "schema_version"));
        using ReplayJournal journal = ReplayJournal.Open(layout.JournalPath, TimeProvider.System);
        Dictionary<string, JournalEntry> entries = journal.Load(Assert.Single(Targets(layout.JournalPath)));
        Assert.Equal(3, entries.Count);
        Assert.All(entries.Values, e => Assert.Equal(JournalState.Delivered, e.State));
    }

    [Fact]
    public async Task A_read_only_open_of_an_old_archive_upgrades_it_too()
    {
        string root = CopyFixture();
        using MessageArchive archive = await MessageArchive.OpenAsync(root, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
        Assert.Equal(3, archive.Index.AllMessages().Count());
        Assert.Equal(IndexSchemaVersion, Meta(new ArchiveLayout(root).IndexPath, "schema_version"));
    }

    [Fact]
    public async Task An_index_from_a_newer_release_is_refused_and_left_alone()
    {
        string root = CopyFixture();
        var layout = new ArchiveLayout(root);
        using (var c = new SqliteConnection($"Data Source={layout.IndexPath};Pooling=False"))
        {
            c.Open();
            using SqliteCommand cmd = c.CreateCommand();
            cmd.CommandText = "UPDATE meta SET value = '99' WHERE key = 'schema_version'";
            cmd.ExecuteNonQuery();
        }

        byte[] before = await File.ReadAllBytesAsync(layout.IndexPath);
        foreach (ArchiveAccess access in new[] { ArchiveAccess.ReadWrite, ArchiveAccess.ReadOnly })
        {
            var e = await Assert.ThrowsAsync<MailRecoveryException>(() => MessageArchive.OpenAsync(root, access, TimeProvider.System, CancellationToken.None));
            Assert.Equal(FailureKind.Usage, e.Kind);
            Assert.Contains("newer release", e.Message, StringComparison.Ordinal);
            Assert.Contains("99", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(layout.IndexPath));
    }

    [Fact]
    public void A_journal_from_a_newer_release_is_refused()
    {
        string path = dir.Sub("journal.sqlite");
        using (var c = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            c.Open();
            using SqliteCommand cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA user_version=7";
            cmd.ExecuteNonQuery();
        }

        var e = Assert.Throws<MailRecoveryException>(() => ReplayJournal.Open(path, TimeProvider.System));
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("journal schema 7", e.Message, StringComparison.Ordinal);
    }

    private static string IndexSchemaVersion => "2";

    private static string? Meta(string path, string key)
    {
        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() as string;
    }

    private static List<string> Targets(string journal)
    {
        using var c = new SqliteConnection($"Data Source={journal};Mode=ReadOnly;Pooling=False");
        c.Open();
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = "SELECT DISTINCT target FROM deliveries";
        using SqliteDataReader r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read())
            list.Add(r.GetString(0));
        return list;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        foreach (string f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(f) != ".keep")
                File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
        }
    }
}
