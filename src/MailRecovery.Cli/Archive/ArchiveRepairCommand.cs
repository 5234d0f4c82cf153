using System.CommandLine;
using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Cli.Fetch;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Cli.Archive;

/// <summary><c>mailrecovery archive repair</c>: verify, download again what the servers still have, report the rest.</summary>
internal static class ArchiveRepairCommand
{
    public static Command Create(CliContext cli)
    {
        var sources = new SourceArguments();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("repair", "Hash every archived file; put back each missing or damaged one from the configured accounts (nothing is deleted on a server; damaged bytes go to mailrecovery/quarantine/), and list the messages no account has any more, with their Message-ID, From, Subject and receipt time. Takes the archive lock. Exit 1 when something could not be repaired.");
        sources.AddTo(command, withPolicy: false);
        command.Options.Add(json);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            // Without --config or --source there is nothing to download from: the repair then only says what is lost.
            var (archivePath, accounts) = result.GetValue(sources.Config) is null && result.GetValue(sources.Source) is null
                ? (sources.ResolveArchive(result), (IReadOnlyList<AccountSpec>)[])
                : Accounts(sources.Resolve(result));
            using ILoggerFactory logs = CliLogging.Create(LogLevel.Warning, timestamps: false);
            using MessageArchive archive = await MessageArchive.OpenAsync(archivePath, ArchiveAccess.ReadWrite, cli.Clock, ct);
            ArchiveRepairReport report = await new ArchiveRepairRun(archive, FetchCommand.SourceFactory, new FetchOptions(), logs.CreateLogger("repair")).RunAsync(accounts, ct);
            int exit = report.IsSound ? 0 : report.Lost.Count > 0 || report.OtherProblems.Count > 0 ? 1 : Math.Max(1, report.Fetch.ExitCode);
            if (result.GetValue(json))
            {
                cli.Out.WriteLine(JsonOutput.Serialize(new RepairJson(exit == 0, exit, report.Damaged, report.Repaired, report.Lost, report.OtherProblems,
                    [.. report.Fetch.Accounts.SelectMany(a => a.Failures.Select(f => $"{a.Account}: {f}")).Concat(report.Fetch.Accounts.Where(a => a.Error is not null).Select(a => a.Error!.UserText))])));
                return exit;
            }

            foreach (AccountReport a in report.Fetch.Accounts)
            {
                foreach (string failure in a.Failures)
                    cli.Out.WriteLine($"failed: {a.Account}: {failure}");
                if (a.Error is not null)
                    cli.Out.WriteLine($"error: {a.Error.UserText}");
            }

            foreach (LostMessage lost in report.Lost)
                cli.Out.WriteLine($"lost: {lost}");
            foreach (ArchiveProblem p in report.OtherProblems)
                cli.Out.WriteLine($"{p.Kind}: {p.File}: {p.Detail}");
            cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{report.Damaged} missing or damaged file(s), {report.Repaired} put back from the server, {report.Lost.Count} lost{(exit == 0 ? ": archive is sound" : string.Empty)}"));
            return exit;
        }));
        return command;
    }

    private static (string, IReadOnlyList<AccountSpec>) Accounts((string Archive, IReadOnlyList<AccountSpec> Accounts, TimeSpan _) resolved) =>
        (resolved.Archive, resolved.Accounts);
}
