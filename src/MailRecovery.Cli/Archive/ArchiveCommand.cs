using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Archive;

namespace MailRecovery.Cli.Archive;

/// <summary><c>mailrecovery archive verify|reindex|repair|backup|restore|prune</c>.</summary>
internal static class ArchiveCommand
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("archive", "Check, rebuild, back up, restore or prune the archive.");
        command.Subcommands.Add(Verify(cli));
        command.Subcommands.Add(Reindex(cli));
        command.Subcommands.Add(ArchiveRepairCommand.Create(cli));
        command.Subcommands.Add(ArchiveBackupCommand.Backup(cli));
        command.Subcommands.Add(ArchiveBackupCommand.Restore(cli));
        command.Subcommands.Add(ArchivePruneCommand.Create(cli));
        return command;
    }

    private static Command Verify(CliContext cli)
    {
        var sources = new SourceArguments();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("verify", "Check that every index row has its file with the recorded size and SHA-256, and every file a row. Read-only; works beside a running watch. Exit 1 when something is wrong.");
        command.Options.Add(sources.Archive);
        command.Options.Add(sources.Config);
        command.Options.Add(json);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            using MessageArchive archive = await MessageArchive.OpenAsync(sources.ResolveArchive(result), ArchiveAccess.ReadOnly, cli.Clock, ct);
            VerifyReport report = await ArchiveVerifier.VerifyAsync(archive, null, ct);
            if (result.GetValue(json))
            {
                cli.Out.WriteLine(JsonOutput.Serialize(new VerifyJson(report.IsSound, report.IsSound ? 0 : 1, report.Checked, report.Bytes, report.Problems, report.InFlight.Count) { PrunePending = report.PrunePending.Count }));
            }
            else
            {
                foreach (ArchiveProblem p in report.Problems)
                    cli.Out.WriteLine($"{p.Kind}: {p.File}: {p.Detail}");
                cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{report.Checked} messages checked, {Units.Megabytes(report.Bytes)}: {(report.IsSound ? "archive is sound" : $"{report.Problems.Count} problem(s)")}"));
                if (report.InFlight.Count > 0)
                    cli.Out.WriteLine($"{report.InFlight.Count} file(s) in flight: a running fetch or watch has not committed its current batch yet (not a problem).");
                if (report.PrunePending.Count > 0)
                    cli.Out.WriteLine($"{report.PrunePending.Count} file(s) of a prune that was cut short: already out of the index, unlinked when watch or fetch next starts (not a problem).");
            }

            return report.IsSound ? 0 : 1;
        }));
        return command;
    }

    private static Command Reindex(CliContext cli)
    {
        var sources = new SourceArguments();
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("reindex", "Rebuild the index's catalogue from the Maildir files (the fetch state is kept). A damaged index is moved aside and a new one built; a file whose content is not the archived one is moved to mailrecovery/quarantine/, and the rows of missing or quarantined files are kept for 'archive repair'. Takes the archive lock.");
        command.Options.Add(sources.Archive);
        command.Options.Add(sources.Config);
        command.Options.Add(json);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            using MessageArchive archive = await MessageArchive.OpenAsync(sources.ResolveArchive(result), ArchiveAccess.Rebuild, cli.Clock, ct);
            ReindexReport report = await ArchiveReindexer.ReindexAsync(archive, null, ct);
            if (result.GetValue(json))
            {
                cli.Out.WriteLine(JsonOutput.Serialize(new ReindexJson(true, 0, report.Indexed, report.IndexMovedAside, report.Quarantined, report.Damaged)));
                return 0;
            }

            if (report.IndexMovedAside is not null)
                cli.Out.WriteLine($"the index was damaged: moved aside to {report.IndexMovedAside}; a new one is built from the Maildir, and the next fetch re-learns which server message is which file (nothing is stored twice)");
            foreach (QuarantinedFile q in report.Quarantined)
                cli.Out.WriteLine($"quarantined: {q.File}: {q.Reason}; not adopted, moved to {q.MovedTo}");
            foreach (LostMessage d in report.Damaged)
                cli.Out.WriteLine($"kept: {d}");
            if (report.Damaged.Count > 0)
                cli.Out.WriteLine("the rows above are kept: 'mailrecovery archive repair' (or the next fetch) downloads them again from the server, or reports them lost");
            cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Indexed} messages indexed in {archive.Layout.IndexPath}"));
            return 0;
        }));
        return command;
    }
}
