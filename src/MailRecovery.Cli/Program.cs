using System.CommandLine;
using MailRecovery.Cli.Alias;
using MailRecovery.Cli.Archive;
using MailRecovery.Cli.Common;
using MailRecovery.Cli.Config;
using MailRecovery.Cli.Fetch;
using MailRecovery.Cli.Replay;
using MailRecovery.Cli.Snapshot;
using MailRecovery.Cli.Status;
using MailRecovery.Cli.Watch;

namespace MailRecovery.Cli;

/// <summary>The composition root: one subcommand per verb; Ctrl+C and SIGTERM cancel the verb's token.</summary>
internal static class Program
{
    private const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static Task<int> Main(string[] args)
    {
        // Socket reads complete on the socket engine's thread instead of hopping to the thread pool for every
        // network read: a fetch reads one connection at a time, so the hop was pure overhead (a 2,000-message
        // fetch: 10-15% of its wall time in context switches). Read once, when the first socket is created; set
        // here, before any. Nothing in MailRecovery blocks on a task (which would deadlock that thread); an
        // explicit DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 turns it off.
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
        return RunAsync(args, CliContext.Console());
    }

    internal static async Task<int> RunAsync(string[] args, CliContext cli)
    {
        var root = new RootCommand("MailRecovery: keeps a crash-safe copy of a shared mailbox, and puts it back after a restore.");
        root.Subcommands.Add(FetchCommand.Create(cli));
        root.Subcommands.Add(WatchCommand.Create(cli));
        root.Subcommands.Add(ArchiveCommand.Create(cli));
        root.Subcommands.Add(ReplayCommand.Create(cli));
        root.Subcommands.Add(AliasCommand.Create(cli));
        root.Subcommands.Add(StatusCommand.Create(cli));
        root.Subcommands.Add(ConfigCommand.Create(cli));
        root.Subcommands.Add(SnapshotCommand.Create(cli));
        root.Subcommands.Add(Auth.AuthCommand.Create(cli));
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (string line in UsageErrors.Describe(parsed))
                cli.Error.WriteLine($"error: {line}");
            cli.Error.WriteLine("fix: see 'mailrecovery --help' or 'mailrecovery VERB --help'.");
            return Core.Errors.ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = cli.Out,
                Error = cli.Error,
                ProcessTerminationTimeout = TimeSpan.FromSeconds(10),

                // The parser's own handler prints the stack trace; ours prints one line and writes it to a file.
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return LastResort.Report(cli, args.Contains("--json", StringComparer.Ordinal), e);
        }
    }
}
