using System.Globalization;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Archive;

/// <summary>
/// An archive directory: the Maildir (the truth), its index (a cache of it plus the fetch state) and, for
/// writers, the exclusive lock. Opening for writing also repairs what a crash can leave behind: stray tmp/
/// files are removed and files that reached cur/ without an index row are catalogued.
/// </summary>
public sealed class MessageArchive : IDisposable
{
    internal const string CurStampKey = "cur_mtime_ticks";
    private readonly ArchiveLock? archiveLock;

    private MessageArchive(ArchiveLayout layout, ArchiveIndex index, ArchiveLock? archiveLock, TimeProvider clock)
    {
        Layout = layout;
        Index = index;
        this.archiveLock = archiveLock;
        Clock = clock;
        Writer = new MaildirWriter(layout, clock);
    }

    public ArchiveLayout Layout { get; }

    public ArchiveIndex Index { get; }

    public MaildirWriter Writer { get; }

    public TimeProvider Clock { get; }

    public static async Task<MessageArchive> OpenAsync(string root, ArchiveAccess access, TimeProvider clock, CancellationToken cancellationToken)
    {
        var layout = new ArchiveLayout(root);
        IO.DirectoryPath.EnsureNotAFile(layout.Root, "archive");
        if (access == ArchiveAccess.ReadOnly)
        {
            if (!File.Exists(layout.IndexPath))
                throw MailRecoveryException.Usage($"{layout.Root} is not a MailRecovery archive (no {layout.IndexPath}).", "check --archive, or run 'mailrecovery archive reindex' to build an index for an existing Maildir.");
            return new MessageArchive(layout, OpenIndexReadOnly(layout), null, clock);
        }

        ArchiveLock? held = null;
        ArchiveIndex? index = null;
        try
        {
            const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

            // Durable before the first message is stored (and so before the first deletion from a server):
            // a message file fsynced in a directory that a power cut takes away is lost with it.
            foreach (string dir in new[] { layout.Root, layout.Cur, layout.New, layout.Tmp, layout.DataDir })
                IO.DurableDirectory.Create(dir, Private);
            held = ArchiveLock.Acquire(layout.LockPath);
            string? movedAside = null;
            if (access == ArchiveAccess.Rebuild)
                (index, movedAside) = OpenOrMoveAside(layout, clock);
            else
                index = ArchiveIndex.Open(layout.IndexPath, readOnly: false);
            var archive = new MessageArchive(layout, index, held, clock) { IndexMovedAside = movedAside };
            archive.RemoveStrayTmpFiles();
            if (access == ArchiveAccess.Rebuild)
                return archive; // the rebuild reads every file itself
            await archive.ReconcileAsync(cancellationToken);
            await archive.FillFingerprintsAsync(cancellationToken);
            return archive;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            index?.Dispose();
            held?.Dispose();
            throw ErrorClassifier.Classify(e, $"archive {layout.Root}");
        }
        catch
        {
            index?.Dispose();
            held?.Dispose();
            throw;
        }
    }

    /// <summary>Where <see cref="ArchiveAccess.Rebuild"/> moved a damaged index, or null.</summary>
    public string? IndexMovedAside { get; private init; }

    /// <summary>
    /// Opens the index for a rebuild; one SQLite calls damaged (at open, or by <c>PRAGMA quick_check</c>) is moved
    /// aside with its -wal and -shm, never deleted (it may hold the only fetch state there is), and a new one made.
    /// </summary>
    private static (ArchiveIndex Index, string? MovedAside) OpenOrMoveAside(ArchiveLayout layout, TimeProvider clock)
    {
        ArchiveIndex? index = null;
        try
        {
            index = ArchiveIndex.Open(layout.IndexPath, readOnly: false);
            if (index.IsIntact())
                return (index, null);
        }
        catch (MailRecoveryException e) when (e.InnerException is Microsoft.Data.Sqlite.SqliteException sqlite && ArchiveIndex.IsCorruption(sqlite))
        {
            // moved aside below
        }

        index?.Dispose();
        string aside = $"{layout.IndexPath}.corrupt-{clock.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}";
        foreach (string suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(layout.IndexPath + suffix))
                File.Move(layout.IndexPath + suffix, aside + suffix, overwrite: false);
        }

        File.Move(layout.IndexPath, aside, overwrite: false);
        IO.DirectorySync.Sync(layout.DataDir);
        return (ArchiveIndex.Open(layout.IndexPath, readOnly: false), aside);
    }

    /// <summary>
    /// A read-only SQLite connection to a WAL database still writes: it creates and sizes the shared-memory
    /// file (<c>-shm</c>) when no other connection has the index open. On a full disk that fails (SQLITE_IOERR,
    /// SQLITE_FULL), although the verb only reads. Then, when no writer holds the archive lock and the WAL is
    /// empty (a writer's close checkpoints it and removes it), the database file alone is the whole index and
    /// is read as such. A WAL with content (a writer that was killed) needs the shared memory: the error stays.
    /// </summary>
    private static ArchiveIndex OpenIndexReadOnly(ArchiveLayout layout)
    {
        try
        {
            return ArchiveIndex.Open(layout.IndexPath, readOnly: true);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode is SqliteIoErr or SqliteFull or SqliteCantOpen && IsQuiescent(layout))
        {
            return ArchiveIndex.OpenImmutable(layout.IndexPath);
        }
    }

    /// <summary>SQLite's SQLITE_IOERR, SQLITE_FULL and SQLITE_CANTOPEN result codes.</summary>
    private const int SqliteIoErr = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    private static bool IsQuiescent(ArchiveLayout layout)
    {
        var wal = new FileInfo(layout.IndexPath + "-wal");
        return IO.FlockObserver.IsHeld(layout.LockPath) != true && (!wal.Exists || wal.Length == 0);
    }

    /// <summary>Starts a group of messages that become durable together (one directory fsync, one commit).</summary>
    public ArchiveBatch BeginBatch() => new(this);

    /// <summary>
    /// Files of batches that are staged or being published but not yet in the index, by content hash: a later
    /// batch (fetched while an earlier one is still being made durable) must find them as the index would.
    /// </summary>
    private readonly Dictionary<string, string> unindexed = new(StringComparer.Ordinal);

    internal string? FindUnindexed(string sha256)
    {
        lock (unindexed)
            return unindexed.GetValueOrDefault(sha256);
    }

    internal void AddUnindexed(string sha256, string file)
    {
        lock (unindexed)
            unindexed[sha256] = file;
    }

    internal void ForgetUnindexed(IEnumerable<StagedMessage> staged)
    {
        lock (unindexed)
        {
            foreach (StagedMessage s in staged)
                unindexed.Remove(s.Sha256);
        }
    }

    /// <summary>Records the cur/ directory's mtime, so the next open can skip the scan when nothing changed.</summary>
    internal KeyValuePair<string, string> CurStamp() =>
        new(CurStampKey, curNeedsScan ? "rescan" : Directory.GetLastWriteTimeUtc(Layout.Cur).Ticks.ToString(CultureInfo.InvariantCulture));

    private volatile bool curNeedsScan;

    /// <summary>
    /// A batch failed after some of its files were renamed into cur/: they are not indexed, and a stamp written
    /// now would hide them from the next open's scan. From now on the stamp never matches, so the next open scans.
    /// </summary>
    internal void ForceCurScan() => curNeedsScan = true;

    public void Dispose()
    {
        Index.Dispose();
        archiveLock?.Dispose();
    }

    /// <summary>
    /// tmp/ holds only files of a pass that did not finish (we hold the lock, nobody else writes here).
    /// Their messages are still on the server and are fetched again.
    /// </summary>
    private void RemoveStrayTmpFiles()
    {
        foreach (string path in Directory.EnumerateFiles(Layout.Tmp))
            File.Delete(path);
    }

    /// <summary>
    /// An index upgraded from schema 1 has no fingerprints: each is computed from its file once, here, so that
    /// every comparison can use the message identity. A file that is gone stays without one (verify reports it).
    /// </summary>
    private async Task FillFingerprintsAsync(CancellationToken cancellationToken)
    {
        List<string> files = Index.FilesWithoutFingerprint();
        if (files.Count == 0)
            return;
        var found = new List<(string, string)>(files.Count);
        foreach (string file in files)
        {
            if (Layout.Resolve(file) is { } path)
                found.Add((file, await MessageFingerprint.ComputeAsync(path, cancellationToken)));
        }

        Index.SetFingerprints(found);
    }

    /// <summary>
    /// A crash between the rename into cur/ and the index commit leaves files the index does not know. They
    /// are catalogued now, so that the next fetch recognises their content instead of storing it twice.
    /// </summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        KeyValuePair<string, string> stamp = CurStamp();
        if (Index.GetMeta(stamp.Key) == stamp.Value)
            return;

        // A prune cut short between its commit and its unlinks left files whose rows are tombstones: finished
        // now, never catalogued again (that would bring the pruned message back).
        PruneLeftovers.Remove(Layout, new PruneLedger(Index));
        HashSet<string> known = Index.AllFiles();
        var missing = new List<ArchivedMessage>();
        foreach (var (baseName, path) in ArchiveCataloguer.ListFiles(Layout))
        {
            if (!known.Contains(baseName))
                missing.Add(await ArchiveCataloguer.CatalogueAsync(path, cancellationToken));
        }

        Index.Commit(missing, [], [stamp]);
    }
}
