using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>
/// <c>archive backup --to DIR</c>: a consistent copy of an archive, also while <c>watch</c> writes it (it takes no
/// lock: SQLite's online backup reads one committed state). Built in a hidden directory beside DIR, verified
/// there, then renamed to DIR: a DIR that exists is always a whole, verified backup.
/// </summary>
public sealed class ArchiveBackupRun(string archiveRoot, TimeProvider clock)
{
    private readonly ArchiveLayout live = new(archiveRoot);

    /// <param name="forceCopy">Copy the message files even on the archive's own file system (no hard links).</param>
    /// <exception cref="MailRecoveryException">DIR is refused (usage), or the copy is not sound (permanent).</exception>
    public async Task<BackupReport> RunAsync(string to, bool forceCopy, CancellationToken cancellationToken)
    {
        string destination = Path.GetFullPath(to);
        CheckSource();
        CheckDestination(destination);
        string staging = ArchiveStaging.NameBeside(destination, "backup");
        try
        {
            ArchiveCopy copy = await ArchiveCopier.CopyAsync(live, staging, forceCopy, stampMoment: true, clock, cancellationToken);
            VerifyReport verify = await ArchiveStaging.VerifyAsync(staging, $"the backup of {live.Root}",
                $"run 'mailrecovery archive verify --archive {live.Root}' and repair what it names ('archive repair'), then back up again.", clock, cancellationToken);
            if (FileOwner.ForRootLike(live.Root) is { } owner)
                FileOwner.GiveTree(staging, owner); // run as root: the backup belongs to the archive's user, as the archive does
            ArchiveStaging.MoveIntoPlace(staging, destination);
            return new BackupReport(destination, copy, verify);
        }
        catch
        {
            ArchiveStaging.Discard(staging);
            throw;
        }
    }

    private void CheckSource()
    {
        if (!File.Exists(live.IndexPath))
            throw MailRecoveryException.Usage($"{live.Root} is not a MailRecovery archive (no {live.IndexPath}).", "check --archive (or the configuration's \"archive\").");
    }

    /// <summary>Refuses a destination inside the archive (it would copy itself) or one that holds anything.</summary>
    private void CheckDestination(string destination)
    {
        string root = live.Root.TrimEnd('/') + "/";
        if (destination == live.Root || destination.StartsWith(root, StringComparison.Ordinal))
        {
            throw MailRecoveryException.Usage($"--to {destination} is inside the archive {live.Root}.",
                "back up to a directory outside the archive, e.g. /var/backups/mailrecovery/archive-DATE.");
        }

        if (File.Exists(destination))
            throw MailRecoveryException.Usage($"--to {destination} is a file.", "name a new directory (it is created).");
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
        {
            throw MailRecoveryException.Usage($"--to {destination} exists and is not empty. Nothing was written.",
                "name a new directory for each backup (e.g. with the date in its name), or remove the old one first.");
        }
    }
}
