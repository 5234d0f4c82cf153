using System.CommandLine;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Cli.Fetch;

/// <summary><c>mailrecovery fetch</c>: one pass over every configured account.</summary>
internal static class FetchCommand
{
    public static Command Create(CliContext cli)
    {
        var sources = new SourceArguments();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON on standard output (for scripts and monitoring)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log each step." };
        var command = new Command("fetch", "Fetch every account once into the archive. Safe to repeat and to interrupt: nothing is lost or stored twice.");
        sources.AddTo(command);
        command.Options.Add(json);
        command.Options.Add(verbose);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            using ILoggerFactory logs = CliLogging.Create(result.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning, timestamps: false);
            var (archivePath, accounts, _) = sources.Resolve(result, logs.CreateLogger("fetch"));
            using MessageArchive archive = await MessageArchive.OpenAsync(archivePath, ArchiveAccess.ReadWrite, cli.Clock, ct);
            var run = new FetchRun(archive, SourceFactory, new FetchOptions(), logs.CreateLogger("fetch"));

            FetchReport report;
            if (result.GetValue(json))
            {
                report = await run.RunAsync(accounts, ct);
                FetchReportWriter.WriteJson(cli.Out, report);
                return report.ExitCode;
            }

            report = cli.IsTerminal
                ? await ProgressBarFetchObserver.RunAsync(o => new FetchRun(archive, SourceFactory, new FetchOptions(), logs.CreateLogger("fetch"), o).RunAsync(accounts, ct))
                : await new FetchRun(archive, SourceFactory, new FetchOptions(), logs.CreateLogger("fetch"), new PlainFetchObserver(cli.Out, cli.Clock)).RunAsync(accounts, ct);
            FetchReportWriter.WriteText(cli.Out, report);
            return report.ExitCode;
        }));
        return command;
    }

    internal static IMessageSource SourceFactory(AccountSpec a) => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust);
}
