using System.CommandLine;
using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Configuration;

namespace MailRecovery.Cli.Archive;

/// <summary><c>mailrecovery archive prune --older-than DAYS [--dry-run]</c>.</summary>
internal static class ArchivePruneCommand
{
    public static Command Create(CliContext cli)
    {
        var sources = new SourceArguments();
        var olderThan = new Option<int>("--older-than") { Description = "Prune messages received before midnight UTC this many days ago. Refused below the configuration's prune.minimumDays (default 30).", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be pruned; change nothing (works beside a running watch)." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("prune", "Remove old messages from the Maildir and the index together, by receipt time. The fetch state is kept (a server that still has them is not asked again) and the replay journal stays valid (replay never sends a pruned message). Takes the archive and replay locks; run a dry run first.");
        command.Options.Add(sources.Archive);
        command.Options.Add(sources.Config);
        command.Options.Add(olderThan);
        command.Options.Add(dryRun);
        command.Options.Add(json);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            string? configPath = result.GetValue(sources.Config);
            int minimum = configPath is null ? PruneCutoff.DefaultMinimumDays : ConfigLoader.Load(configPath).PruneMinimumDays;
            DateTimeOffset cutoff = PruneCutoff.For(cli.Clock.GetUtcNow(), result.GetValue(olderThan), minimum);
            string root = sources.ResolveArchive(result);
            PruneReport report;
            if (result.GetValue(dryRun))
            {
                using MessageArchive archive = await MessageArchive.OpenAsync(root, ArchiveAccess.ReadOnly, cli.Clock, ct);
                report = ArchivePruner.Plan(archive.Index, cutoff);
            }
            else
            {
                using MessageArchive archive = await MessageArchive.OpenAsync(root, ArchiveAccess.ReadWrite, cli.Clock, ct);
                using ArchiveLock replay = ArchiveLock.Acquire(Path.Combine(archive.Layout.DataDir, "replay.lock"), "a replay");
                report = ArchivePruner.Prune(archive, cutoff);
            }

            Print(cli, report, result.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static void Print(CliContext cli, PruneReport report, bool json)
    {
        if (json)
        {
            cli.Out.WriteLine(JsonOutput.Serialize(new PruneJson(true, 0, report.DryRun, report.Cutoff, report.Messages.Count, report.Bytes, report.Messages, report.LeftoversRemoved)));
            return;
        }

        string verb = report.DryRun ? "would prune" : "pruned";
        foreach (PrunedMessage m in report.Messages)
            cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{verb}: {m.File}: Message-ID <{m.MessageId ?? "none"}>, from {m.From ?? "(none)"}, subject \"{m.Subject ?? string.Empty}\", received {m.ReceivedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC"));
        if (report.LeftoversRemoved > 0)
            cli.Out.WriteLine($"finished an earlier prune that was cut short: {report.LeftoversRemoved} file(s) unlinked");
        string cutoff = report.Cutoff.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        string outcome = report.DryRun ? "dry run, nothing changed; the same command without --dry-run today removes exactly these" : "removed from the Maildir and the index";
        cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Messages.Count} message(s), {Units.Megabytes(report.Bytes)}, received before {cutoff}: {outcome}"));
        if (!report.DryRun && report.Messages.Count > 0)
            cli.Out.WriteLine("the fetch state is kept: a server that still has these messages (policy keep) is not asked for them again; replay no longer selects them.");
    }
}
