using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Copies an archive, possibly live (a <c>watch</c> writing it), into a new directory: what <c>archive backup</c>
/// and <c>archive restore</c> both do. The index is copied first, by SQLite's online backup, and only the message
/// files that copy lists follow: a file committed after that moment is simply not in the copy, and every file it
/// lists exists, because a writer makes its files durable in <c>cur/</c> before it commits their rows. Files are
/// hard-linked when both sides are on one file system (an archived file is never rewritten, see
/// <see cref="HardLink"/>), else copied with their mtime (the receipt time), each fsynced.
/// </summary>
internal static class ArchiveCopier
{
    /// <summary>Meta key of the copy's index: when its snapshot was taken (Unix milliseconds UTC).</summary>
    public const string TakenAtKey = "backup_taken_utc";

    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <param name="to">A directory that does not exist yet.</param>
    /// <param name="forceCopy">Copy every file even where a hard link would do (a backup on another disk's worth).</param>
    /// <param name="stampMoment">Record the snapshot's moment in the copy (a backup); a restore keeps the backup's own.</param>
    public static async Task<ArchiveCopy> CopyAsync(ArchiveLayout from, string to, bool forceCopy, bool stampMoment, TimeProvider clock, CancellationToken cancellationToken)
    {
        var copy = new ArchiveLayout(to);
        foreach (string dir in new[] { copy.Root, copy.Cur, copy.New, copy.Tmp, copy.DataDir })
            DurableDirectory.Create(dir, Private);

        // Order is important: the index snapshot first, then the files it lists (never the other way round: a
        // file listed after the snapshot of a directory could have a row the copy lacks, or the reverse).
        DateTimeOffset takenAt = clock.GetUtcNow();
        SqliteSnapshot.Copy(from.IndexPath, copy.IndexPath);
        bool hasJournal = File.Exists(from.JournalPath);
        if (hasJournal)
            SqliteSnapshot.Copy(from.JournalPath, copy.JournalPath);

        List<ArchivedMessage> rows;
        using (ArchiveIndex index = ArchiveIndex.Open(copy.IndexPath, readOnly: false))
            rows = [.. index.AllMessages()];

        HashSet<string> prunedInSource;
        using (ArchiveIndex live = ArchiveIndex.Open(from.IndexPath, readOnly: true))
            prunedInSource = new PruneLedger(live).Files();

        int linked = 0, copied = 0;
        long bytes = 0;
        bool tryLinks = !forceCopy;
        var prunedMeanwhile = new List<string>();
        var missing = new List<string>();
        var toCopy = new List<(string Source, string Target, long Size)>();
        foreach (ArchivedMessage row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (from.Resolve(row.File) is not { } source)
            {
                // Gone between the snapshot and now: a prune (watch's daily job) is no damage, anything else is.
                (prunedInSource.Contains(row.File) || IsPrunedNow(from, row.File) ? prunedMeanwhile : missing).Add(row.File);
                continue;
            }

            string target = Path.Combine(copy.Root, Path.GetFileName(Path.GetDirectoryName(source))!, Path.GetFileName(source));
            if (tryLinks && HardLink.TryCreate(source, target))
            {
                linked++;
                bytes += row.Size;
            }
            else
            {
                tryLinks = false; // another file system: every other file is copied too
                toCopy.Add((source, target, row.Size));
            }
        }

        // Copies run several at a time: each ends with its own fsync, and the disk commits concurrent ones together
        // (one at a time, 3,000 files took 5 s, nearly all of it waiting for fsyncs).
        await Parallel.ForEachAsync(toCopy, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (c, ct) =>
        {
            await CopyFileAsync(c.Source, c.Target, ct);
            Interlocked.Increment(ref copied);
            Interlocked.Add(ref bytes, c.Size);
        });

        using (ArchiveIndex index = ArchiveIndex.Open(copy.IndexPath, readOnly: false))
        {
            if (prunedMeanwhile.Count > 0)
                new PruneLedger(index).Commit(prunedMeanwhile, takenAt);

            // The copy's cur/ is not the source's: its first writer must scan it, so the stamp can never match.
            KeyValuePair<string, string> stamp = new(MessageArchive.CurStampKey, "copied");
            index.Commit([], [], stampMoment ? [new(TakenAtKey, ArchiveIndex.Invariant(takenAt.ToUnixTimeMilliseconds())), stamp] : [stamp]);
        }

        foreach (string dir in new[] { copy.Cur, copy.New, copy.DataDir, copy.Root })
            DirectorySync.Sync(dir);
        return new ArchiveCopy(takenAt, linked + copied, linked, copied, bytes, hasJournal, prunedMeanwhile, missing);
    }

    private static bool IsPrunedNow(ArchiveLayout from, string file)
    {
        using ArchiveIndex live = ArchiveIndex.Open(from.IndexPath, readOnly: true);
        return new PruneLedger(live).Files().Contains(file);
    }

    /// <summary>Copies one message file: new (never over an existing name), 0600, the source's mtime, fsynced.</summary>
    private static async Task CopyFileAsync(string source, string target, CancellationToken cancellationToken)
    {
        await using FileStream from = RegularFile.OpenRead(source, 128 * 1024, useAsync: true);
        DateTime mtime = File.GetLastWriteTimeUtc(from.SafeFileHandle);
        await using var to = new FileStream(target, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            BufferSize = 128 * 1024,
            Options = FileOptions.Asynchronous,
        });
        await from.CopyToAsync(to, cancellationToken);
        await to.FlushAsync(cancellationToken);
        File.SetLastWriteTimeUtc(to.SafeFileHandle, mtime); // the receipt time, which fetch's cheap check compares
        to.Flush(flushToDisk: true);
    }
}
