using System.Globalization;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Archive;

/// <summary>
/// <c>archive restore --from BACKUP --archive DIR</c>: the backup is copied into a hidden directory beside DIR and
/// verified there; only then is the archive at DIR renamed aside (<c>DIR.before-restore-TIME</c>, never deleted: with
/// the delete policy it may hold the only copy of mail archived after the backup) and the copy renamed into its
/// place. The backup itself is left as it was, so it can be restored again. Refused while a fetch, watch or replay
/// holds the archive.
/// </summary>
public sealed class ArchiveRestoreRun(TimeProvider clock)
{
    /// <exception cref="MailRecoveryException">The backup is not an archive or not sound, DIR is in use or not an archive.</exception>
    public async Task<RestoreReport> RunAsync(string backupRoot, string archiveRoot, bool forceCopy, CancellationToken cancellationToken)
    {
        var backup = new ArchiveLayout(backupRoot);
        var target = new ArchiveLayout(archiveRoot);
        if (!File.Exists(backup.IndexPath))
            throw MailRecoveryException.Usage($"{backup.Root} is not an archive backup (no {backup.IndexPath}).", "name the directory 'archive backup --to' made.");
        if (backup.Root == target.Root)
            throw MailRecoveryException.Usage("--from and --archive are the same directory.", "restore into the archive's directory from a backup elsewhere.");

        bool exists = Directory.Exists(target.Root);
        if (exists && !Directory.Exists(target.DataDir) && Directory.EnumerateFileSystemEntries(target.Root).Any())
        {
            throw MailRecoveryException.Usage($"{target.Root} exists and is not a MailRecovery archive (no mailrecovery/ in it). Nothing was changed.",
                "name the archive's directory with --archive, or move that directory away first.");
        }

        // Held across the swap: no fetch, watch or replay may open the archive while it is being replaced.
        using ArchiveLock? writer = Directory.Exists(target.DataDir) ? ArchiveLock.Acquire(target.LockPath) : null;
        using ArchiveLock? replay = Directory.Exists(target.DataDir) ? ArchiveLock.Acquire(Path.Combine(target.DataDir, "replay.lock"), "a replay") : null;

        string staging = ArchiveStaging.NameBeside(target.Root, "restoring");
        ArchiveCopy copy;
        VerifyReport verify;
        try
        {
            copy = await ArchiveCopier.CopyAsync(backup, staging, forceCopy, stampMoment: false, clock, cancellationToken);
            verify = await ArchiveStaging.VerifyAsync(staging, $"the backup {backup.Root}",
                "restore from another backup; this one is damaged ('mailrecovery archive verify --archive BACKUP' lists what).", clock, cancellationToken);

            // Run as root (sudo): the restored archive must belong to the user watch runs as, the owner of the
            // archive it replaces (or of the backup, when there is none), or the service cannot open it.
            if (IO.FileOwner.ForRootLike(exists ? target.Root : backup.Root) is { } owner)
                IO.FileOwner.GiveTree(staging, owner);
        }
        catch
        {
            ArchiveStaging.Discard(staging);
            throw;
        }

        // Order is important: the old archive is renamed aside before the copy takes its name, and nothing is
        // deleted; a crash between the two renames leaves both directories whole under their own names.
        string? aside = null;
        if (exists && Directory.EnumerateFileSystemEntries(target.Root).Any())
        {
            aside = $"{target.Root}.before-restore-{clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
            Directory.Move(target.Root, aside);
        }

        ArchiveStaging.MoveIntoPlace(staging, target.Root);
        return new RestoreReport(target.Root, TakenAt(target), copy, verify, aside, aside is null ? null : NewerIn(aside, target));
    }

    private static DateTimeOffset? TakenAt(ArchiveLayout restored)
    {
        using ArchiveIndex index = ArchiveIndex.Open(restored.IndexPath, readOnly: true);
        return long.TryParse(index.GetMeta(ArchiveCopier.TakenAtKey), NumberStyles.None, CultureInfo.InvariantCulture, out long ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    /// <summary>How many messages the moved-aside archive has that the restored one lacks; null when its index cannot be read (it may be why the restore happened).</summary>
    private static int? NewerIn(string aside, ArchiveLayout restored)
    {
        try
        {
            var old = new ArchiveLayout(aside);
            if (!File.Exists(old.IndexPath))
                return null;
            HashSet<string> files;
            using (ArchiveIndex index = ArchiveIndex.Open(old.IndexPath, readOnly: true))
                files = index.AllFiles();
            using ArchiveIndex now = ArchiveIndex.Open(restored.IndexPath, readOnly: true);
            files.ExceptWith(now.AllFiles());
            files.ExceptWith(new PruneLedger(now).Files());
            return files.Count;
        }
        catch (Exception e) when (e is MailRecoveryException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
