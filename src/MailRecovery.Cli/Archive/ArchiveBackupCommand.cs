using System.CommandLine;
using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Archive;

namespace MailRecovery.Cli.Archive;

/// <summary><c>mailrecovery archive backup --to DIR [--copy]</c> and <c>archive restore --from BACKUP</c>.</summary>
internal static class ArchiveBackupCommand
{
    public static Command Backup(CliContext cli)
    {
        var sources = new SourceArguments();
        var to = new Option<string>("--to") { Description = "The new backup directory (absent or empty; not inside the archive).", Required = true };
        var copy = new Option<bool>("--copy") { Description = "Copy the message files even on the archive's own file system (default there: hard links, which cost no space but share the disk)." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("backup", "Make a consistent copy of the archive, also while watch runs: the index and the replay journal by SQLite's online backup, then the message files that copy lists (hard-linked on the same file system, else copied), verified before it takes its name. Exit 1 when the copy is not sound.");
        command.Options.Add(sources.Archive);
        command.Options.Add(sources.Config);
        command.Options.Add(to);
        command.Options.Add(copy);
        command.Options.Add(json);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            string root = sources.ResolveArchive(result);
            BackupReport report = await new ArchiveBackupRun(root, cli.Clock).RunAsync(result.GetValue(to)!, result.GetValue(copy), ct);
            ArchiveCopy c = report.Copy;
            if (result.GetValue(json))
            {
                cli.Out.WriteLine(JsonOutput.Serialize(new BackupJson(true, 0, report.Directory, c.TakenAt, c.Messages, c.Linked, c.Copied, c.Bytes, c.HasJournal, c.PrunedMeanwhile.Count, report.Verify.IsSound)));
                return 0;
            }

            if (c.PrunedMeanwhile.Count > 0)
                cli.Out.WriteLine($"{c.PrunedMeanwhile.Count} message(s) were pruned while the backup ran: pruned in the backup too");
            cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"backup of {root} as of {c.TakenAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC in {report.Directory}: {c.Messages} messages ({c.Linked} hard-linked, {c.Copied} copied), {Units.Megabytes(c.Bytes)}, index{(c.HasJournal ? " and replay journal" : string.Empty)}; verified: sound"));
            if (c.Linked > 0)
                cli.Out.WriteLine("the message files are hard links: the backup survives a deleted file, a prune and a lost index, not a failed disk; use --copy to another disk for that.");
            return 0;
        }));
        return command;
    }

    public static Command Restore(CliContext cli)
    {
        var sources = new SourceArguments();
        var from = new Option<string>("--from") { Description = "A backup made by 'archive backup'.", Required = true };
        var copy = new Option<bool>("--copy") { Description = "Copy the message files even on the same file system (default there: hard links)." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("restore", "Replace the archive by a backup: the backup is copied beside it and verified, then the current archive is renamed to DIR.before-restore-TIME (never deleted) and the copy takes its place. Refused while watch, fetch or replay uses the archive.");
        command.Options.Add(sources.Archive);
        command.Options.Add(sources.Config);
        command.Options.Add(from);
        command.Options.Add(copy);
        command.Options.Add(json);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            string root = sources.ResolveArchive(result);
            RestoreReport report = await new ArchiveRestoreRun(cli.Clock).RunAsync(Path.GetFullPath(result.GetValue(from)!), root, result.GetValue(copy), ct);
            ArchiveCopy c = report.Copy;
            if (result.GetValue(json))
            {
                cli.Out.WriteLine(JsonOutput.Serialize(new RestoreJson(true, 0, report.Archive, report.BackupTakenAt, c.Messages, c.Linked, c.Copied, c.Bytes, report.MovedAside, report.NewerInMovedAside, report.Verify.IsSound)));
                return 0;
            }

            string moment = report.BackupTakenAt is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "an unknown moment";
            cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"restored {report.Archive} from the backup as of {moment}: {c.Messages} messages, {Units.Megabytes(c.Bytes)}; verified: sound"));
            if (report.MovedAside is not null)
            {
                cli.Out.WriteLine($"the archive that was there is now {report.MovedAside} (nothing deleted)"
                    + (report.NewerInMovedAside is int n ? $"; it holds {n} message(s) the backup does not" : string.Empty));
            }

            cli.Out.WriteLine($"mail archived after {moment} is not in the restored archive. With policy keep it is still on the server and the next fetch downloads it again. With policy delete (or delete-older-than) it was removed from the server: it exists only in {report.MovedAside ?? "the archive that was replaced"}; keep that directory.");
            cli.Out.WriteLine("the replay journal is the backup's too: replays made since are not in it. IMAP and file targets look before they send; SMTP, LMTP and pipe targets could receive those messages again (use --check-in, or replay from after the last replay).");
            return 0;
        }));
        return command;
    }
}
