using System.CommandLine;
using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Snapshots;

namespace MailRecovery.Cli.Snapshot;

/// <summary><c>snapshot restore</c>: staging, verify, swap; ends with the replay command that completes the restore.</summary>
internal static class SnapshotRestoreCommand
{
    public static Command Create(CliContext cli)
    {
        var o = new SnapshotOptions();
        var discard = new Option<bool>("--discard-current") { Description = "Remove the live directory instead of keeping it as DIR.before-restore-TIMESTAMP (removed only after the restored one is in place)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would be replaced (directories, file counts, sizes) and change nothing." };
        var command = new Command("restore", "Restore data directories from a snapshot the vendor's way: unpack beside each DIR, check every byte against the manifest, set owner, group, mode and mtime, then rename the live DIR aside and the restored one into its place. Stop the helpdesk first.");
        o.Data.Required = true;
        o.AddTo(command, id: true, data: true);
        command.Options.Add(discard);
        command.Options.Add(dryRun);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(o.Json), async () =>
        {
            SnapshotStore store = o.OpenStore(result);
            string id = o.IdOf(result);
            SnapshotRestoreReport report = await new SnapshotRestoreRun(store, cli.Clock, SnapshotOptions.Progress(cli, "restored"))
                .RunAsync(id, o.DataOf(result), result.GetValue(discard), result.GetValue(dryRun), ct);
            string next = SnapshotOptions.NextCommand(store.Path, id);
            if (result.GetValue(o.Json))
            {
                var dirs = report.Items.Select(i => new SnapshotJson.RestoredDirectory(i.Directory.Path, i.LiveExists, i.LiveFiles, i.LiveBytes, i.SnapshotFiles, i.SnapshotBytes, i.MovedTo, i.LiveExists && report.Discarded)).ToList();
                cli.Out.WriteLine(JsonOutput.Serialize(new SnapshotJson.Restore(true, 0, id, report.Manifest.StartedUtc, report.DryRun, dirs, next)));
                return ExitCodes.Ok;
            }

            foreach (RestorePlanItem i in report.Items)
            {
                string live = !i.LiveExists ? "does not exist now"
                    : string.Create(CultureInfo.InvariantCulture, $"now {i.LiveFiles} files, {Units.Megabytes(i.LiveBytes)}: {(i.MovedTo is null ? "removed" : $"moved to {i.MovedTo}")}");
                cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(report.DryRun ? "would restore" : "restored")} {i.Directory.Path}: {i.SnapshotFiles} files, {Units.Megabytes(i.SnapshotBytes)} from the snapshot; the live directory {live}"));
            }

            if (report.DryRun)
            {
                cli.Out.WriteLine("dry run: nothing changed. Stop the helpdesk, then run again without --dry-run.");
                return ExitCodes.Ok;
            }

            DateTimeOffset t = report.Manifest.StartedUtc;
            cli.Out.WriteLine($"the data is now as it was at {t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)} (snapshot {id}).");
            cli.Out.WriteLine("next: bring back the mail the helpdesk pulled after that moment (check with --dry-run, then --yes):");
            cli.Out.WriteLine($"  {next}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
