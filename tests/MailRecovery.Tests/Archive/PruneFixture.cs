using System.Globalization;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Archive;

/// <summary>An archive fetched from the real bed with old and recent messages (by their Received time), for prune tests.</summary>
internal static class PruneFixture
{
    public const int Old = 6;
    public const int Recent = 4;

    /// <summary>Loads <see cref="Old"/> messages received ~100 days ago and <see cref="Recent"/> received yesterday, and fetches them (keep policy).</summary>
    /// <returns>The account's user and the Message-IDs of the old messages.</returns>
    public static async Task<(string User, IReadOnlyList<string> OldIds, IReadOnlyList<string> RecentIds)> ArchiveAsync(TestBedFixture bed, string archiveDir, string prefix)
    {
        string user = TestBedFixture.NewUser(prefix);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var oldIds = Enumerable.Range(0, Old).Select(i => $"old{i}.{user}@example.org").ToList();
        var recentIds = Enumerable.Range(0, Recent).Select(i => $"new{i}.{user}@example.org").ToList();
        var messages = oldIds.Select((id, i) => TestMessages.Simple(i, id, Rfc5322(now.AddDays(-100).AddHours(-i))))
            .Concat(recentIds.Select((id, i) => TestMessages.Simple(100 + i, id, Rfc5322(now.AddDays(-1).AddMinutes(-i)))));
        await bed.LoadAsync(user, messages);
        Assert.Equal(0, (await Fetcher.RunAsync(archiveDir, Fetcher.Account(bed, bed.Imaps(user)))).ExitCode);
        return (user, oldIds, recentIds);
    }

    public static string Rfc5322(DateTimeOffset t) => t.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    /// <summary>The Message-IDs the index lists.</summary>
    public static List<string> IndexedIds(string archiveDir)
    {
        using ArchiveIndex index = ArchiveIndex.Open(new ArchiveLayout(archiveDir).IndexPath, readOnly: true);
        return [.. index.AllMessages().Select(m => m.Metadata.MessageId!).Order(StringComparer.Ordinal)];
    }

    /// <summary>The message files in cur/ and new/.</summary>
    public static int FileCount(string archiveDir) => ArchiveCataloguer.ListFiles(new ArchiveLayout(archiveDir)).Count;

    /// <summary>A copy of an archive directory (mtimes kept: they are receipt times).</summary>
    public static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string dir in Directory.GetDirectories(from))
            CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        foreach (string file in Directory.GetFiles(from))
        {
            string target = Path.Combine(to, Path.GetFileName(file));
            File.Copy(file, target);
            File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(file));
        }
    }
}
