using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Finishes a prune that was cut short between its commit and its unlinks: files in the Maildir whose name has a
/// tombstone (<see cref="PruneLedger"/>) are unlinked, never catalogued again. Called by every writer's open
/// (the <c>cur/</c> scan), by <c>archive reindex</c> and at the start of every prune, under the archive lock.
/// </summary>
internal static class PruneLeftovers
{
    /// <returns>How many files were unlinked.</returns>
    public static int Remove(ArchiveLayout layout, PruneLedger ledger)
    {
        HashSet<string> pruned = ledger.Files();
        if (pruned.Count == 0)
            return 0;
        int removed = 0;
        foreach (var (baseName, path) in ArchiveCataloguer.ListFiles(layout))
        {
            if (pruned.Contains(baseName))
            {
                File.Delete(path);
                removed++;
            }
        }

        if (removed > 0)
            SyncMaildir(layout);
        return removed;
    }

    /// <summary>Makes unlinks in cur/ and new/ durable (a directory's entries are durable only once it is synced).</summary>
    public static void SyncMaildir(ArchiveLayout layout)
    {
        foreach (string dir in new[] { layout.Cur, layout.New })
        {
            if (Directory.Exists(dir))
                DirectorySync.Sync(dir);
        }
    }
}
