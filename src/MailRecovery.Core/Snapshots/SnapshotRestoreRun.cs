using System.Globalization;
using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// <c>snapshot restore</c>: the vendor's restore, done so that a bad snapshot can never half-replace the live
/// data. Each directory is unpacked into a staging directory beside it (same file system, so the swap is a
/// rename), every byte checked against the manifest, owner, group, mode and mtime set from it and checked; only
/// then is the live directory renamed aside (or removed) and the staging directory renamed into its place.
/// </summary>
public sealed class SnapshotRestoreRun(SnapshotStore store, TimeProvider clock, SnapshotProgress? progress = null)
{
    /// <exception cref="MailRecoveryException">Usage: unknown snapshot or directory; Permanent: the snapshot does not match its manifest (nothing changed).</exception>
    public async Task<SnapshotRestoreReport> RunAsync(string id, IReadOnlyList<string> dataDirs, bool discardCurrent, bool dryRun, CancellationToken ct)
    {
        SnapshotManifest manifest;
        try
        {
            manifest = store.Load(id);
        }
        catch (MailRecoveryException e) when (e.Kind == FailureKind.Permanent)
        {
            throw new MailRecoveryException(e.Kind, e.Scope, $"{e.Message.TrimEnd('.')}. Nothing was restored; the live data is untouched.", e.Fix);
        }

        string stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var items = Select(manifest, dataDirs).Select(d => Plan(manifest, d, stamp, discardCurrent)).ToList();
        if (dryRun)
            return new SnapshotRestoreReport(manifest, items, true, discardCurrent);

        var staging = items.ToDictionary(i => i.Directory.Label, i => StagingPath(i.Directory.Path, stamp));
        bool swapped = false;
        try
        {
            foreach (RestorePlanItem i in items)
            {
                DurableDirectory.Create(Path.GetDirectoryName(i.Directory.Path)!, (UnixFileMode)0x1ED); // 0755, only when the parent is gone too
                Directory.CreateDirectory(staging[i.Directory.Label], UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            List<string> problems = await SnapshotReader.ReadAsync(store.PathOf(id), manifest, staging, progress, ct);
            if (problems.Count > 0)
                throw Refused(id, problems);
            foreach (RestorePlanItem i in items)
            {
                var entries = manifest.Entries.Where(e => e.Dir == i.Directory.Label).ToList();
                MetadataApplier.ApplyAll(staging[i.Directory.Label], entries, ct);
                List<CheckFinding> wrong = TreeComparer.Compare(staging[i.Directory.Label], i.Directory, entries, content: true);
                if (wrong.Count > 0)
                    throw Refused(id, wrong.Select(w => w.ToString()).ToList());
            }

            foreach (string s in staging.Values)
                UnixFiles.SyncFileSystem(s);

            // Order is important: every staging directory is complete, checked and durable (its file system synced,
            // contents and metadata) before the first live one moves.
            foreach (RestorePlanItem i in items)
                Swap(i, staging[i.Directory.Label], stamp, discardCurrent);
            swapped = true;
            return new SnapshotRestoreReport(manifest, items, false, discardCurrent);
        }
        finally
        {
            if (!swapped)
            {
                foreach (string s in staging.Values.Where(Directory.Exists))
                    Directory.Delete(s, recursive: true);
            }
        }
    }

    /// <summary>The manifest's directories named by <paramref name="dataDirs"/>, by absolute path.</summary>
    /// <exception cref="MailRecoveryException">Usage: none given, or one that the snapshot does not hold.</exception>
    internal static List<SnapshotDirectory> Select(SnapshotManifest manifest, IReadOnlyList<string> dataDirs)
    {
        if (dataDirs.Count == 0)
            throw MailRecoveryException.Usage("no data directory given.", $"pass --data DIR for each directory to restore; this snapshot holds {string.Join(", ", manifest.Dirs.Select(d => d.Path))}.");
        var chosen = new List<SnapshotDirectory>();
        foreach (string d in dataDirs.Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))))
        {
            SnapshotDirectory dir = manifest.Dirs.FirstOrDefault(m => m.Path == d)
                ?? throw MailRecoveryException.Usage($"snapshot {manifest.Id} does not hold {d}.", $"it holds {string.Join(", ", manifest.Dirs.Select(m => m.Path))}.");
            if (!chosen.Contains(dir))
                chosen.Add(dir);
        }

        return chosen;
    }

    private static RestorePlanItem Plan(SnapshotManifest manifest, SnapshotDirectory dir, string stamp, bool discard)
    {
        var entries = manifest.Entries.Where(e => e.Dir == dir.Label && e.Type == EntryType.File).ToList();
        FileFacts? live = UnixFiles.Lstat(dir.Path);
        if (live is not null && live.Type != EntryType.Directory)
            throw MailRecoveryException.Usage($"{dir.Path} is not a directory (a {live.Type.ToString().ToLowerInvariant()}).", "move it away by hand, then restore again.");
        // A mount point cannot be renamed aside (EBUSY), and its staging directory would be on the parent's file
        // system: refused before anything is written.
        if (live is not null && UnixFiles.Lstat(Path.GetDirectoryName(dir.Path)!) is { } parent && parent.Device != live.Device)
            throw MailRecoveryException.Usage($"{dir.Path} is a mount point: restore replaces a directory by renaming it, which a mount point cannot be.", $"unmount it and restore into the parent's file system, or mount the new disk on {Path.GetDirectoryName(dir.Path)} and restore there.");
        long files = 0, bytes = 0;
        if (live is not null)
        {
            foreach (TreeWalker.Item i in TreeWalker.Walk(dir.Path).Where(i => i.Facts.Type == EntryType.File))
            {
                files++;
                bytes += i.Facts.Size;
            }
        }

        string? aside = live is null || discard ? null : $"{dir.Path}.before-restore-{stamp}";
        if (aside is not null && UnixFiles.Lstat(aside) is not null)
            throw MailRecoveryException.Usage($"{aside} exists already.", "wait a second and run again, or move it away.");
        return new RestorePlanItem(dir, live is not null, files, bytes, entries.Count, entries.Sum(e => e.Size), aside);
    }

    private static string StagingPath(string dir, string stamp) =>
        Path.Combine(Path.GetDirectoryName(dir)!, $".{Path.GetFileName(dir)}.restore-staging-{stamp}");

    /// <summary>
    /// Live aside, staging in, parent synced. A crash between the two renames leaves the directory missing with
    /// both the aside copy and the complete staging directory beside it: rename the staging one by hand, or run again.
    /// </summary>
    private static void Swap(RestorePlanItem item, string staging, string stamp, bool discard)
    {
        string dir = item.Directory.Path;
        string parent = Path.GetDirectoryName(dir)!;
        string? discarded = null;
        if (item.LiveExists)
        {
            string aside = item.MovedTo ?? (discarded = Path.Combine(parent, $".{Path.GetFileName(dir)}.discarded-{stamp}"));
            Directory.Move(dir, aside);
        }

        Directory.Move(staging, dir);
        DirectorySync.Sync(parent);

        // Removed only once the restored directory is durably in place: a crash before leaves a copy, never nothing.
        if (discarded is not null)
            Directory.Delete(discarded, recursive: true);
    }

    private static MailRecoveryException Refused(string id, List<string> problems) => new(
        FailureKind.Permanent,
        FailureScope.Run,
        $"snapshot {id} does not match its manifest ({problems.Count} problem(s)): {string.Join("; ", problems.Take(5))}. Nothing was restored; the live data is untouched.",
        "run 'mailrecovery snapshot verify' on the other snapshots and restore a sound one.");
}
