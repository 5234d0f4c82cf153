using System.CommandLine;
using MailRecovery.Cli.Common;
using MailRecovery.Cli.Fetch;
using MailRecovery.Cli.Status;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Cli.Watch;

/// <summary><c>mailrecovery watch</c>: fetch continuously until Ctrl+C or SIGTERM.</summary>
internal static class WatchCommand
{
    public static Command Create(CliContext cli)
    {
        var sources = new SourceArguments();
        var poll = new Option<int?>("--poll-seconds") { Description = "Poll interval for POP3 and IMAP without IDLE, and the longest IDLE (default 60, or watch.pollSeconds)." };
        var heartbeatMinutes = new Option<int?>("--heartbeat-minutes") { Description = "Log a heartbeat line (passes and failures per account) this often (default 60, or watch.heartbeatMinutes)." };
        var metricsListen = new Option<string?>("--metrics") { Description = "Serve Prometheus metrics at http://ADDRESS:PORT/metrics, e.g. 127.0.0.1:9750 (default off, or metrics.listen; docs/monitoring.md)." };
        var noIdle = new Option<bool>("--no-idle") { Description = "Poll IMAP too instead of using IDLE." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log each step." };
        var primary = new Option<string?>("--primary") { Description = "The helpdesk's own account (same URI grammar as --source), looked at read-only after every pass: what waits there and when the helpdesk took it (for replay --pulled-after and status)." };
        var primaryPassword = new Option<string?>("--primary-password-file") { Description = "File whose first line is the password of --primary (also: environment variable MAILRECOVERY_PRIMARY_PASSWORD)." };
        var command = new Command("watch", "Fetch continuously: IMAP IDLE when the server offers it, else polling. Stops cleanly on Ctrl+C or SIGTERM.");
        sources.AddTo(command);
        command.Options.Add(poll);
        command.Options.Add(noIdle);
        command.Options.Add(heartbeatMinutes);
        command.Options.Add(metricsListen);
        command.Options.Add(verbose);
        command.Options.Add(primary);
        command.Options.Add(primaryPassword);
        var primaryTokens = new TokenOptions("primary-", "--primary");
        primaryTokens.AddTo(command);
        command.SetAction((result, ct) => Verb.RunAsync(cli, false, async () =>
        {
            // Made first: the token sources the configuration names warn in the verb's log (a refresh token unused for too long).
            using ILoggerFactory logs = CliLogging.Create(result.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information, timestamps: true);
            ILogger logger = logs.CreateLogger("watch");
            var (archivePath, accounts, pollInterval) = sources.Resolve(result, logger);
            accounts = WithPrimary(result, accounts, primary, primaryPassword, primaryTokens, sources);
            Core.Configuration.MailRecoveryConfig? config = result.GetValue(sources.Config) is string configPath ? Core.Configuration.ConfigLoader.Load(configPath, logger) : null;
            Core.Probe.ProbeSchedule? probe = config?.Probe;
            TimeSpan heartbeat = config?.Heartbeat ?? Core.Configuration.ConfigLoader.DefaultHeartbeat;
            if (result.GetValue(heartbeatMinutes) is int minutes)
            {
                if (minutes < 1)
                    throw Core.Errors.MailRecoveryException.Usage("--heartbeat-minutes must be at least 1.", "give a number of minutes, e.g. --heartbeat-minutes 60.");
                heartbeat = TimeSpan.FromMinutes(minutes);
            }

            if (result.GetValue(poll) is int seconds)
            {
                if (seconds < 1)
                    throw Core.Errors.MailRecoveryException.Usage("--poll-seconds must be at least 1.", "give a number of seconds, e.g. --poll-seconds 60.");
                pollInterval = TimeSpan.FromSeconds(seconds);
            }

            (Core.Metrics.MetricsEndpoint? metricsAt, string metricsOrigin) = result.GetValue(metricsListen) is string listen
                ? (Core.Metrics.MetricsEndpoint.TryParse(listen) ?? throw Core.Errors.MailRecoveryException.Usage($"--metrics '{listen}' is not {Core.Metrics.MetricsEndpoint.Grammar}.", "give the address and port to listen on, e.g. --metrics 127.0.0.1:9750 (only this machine) or --metrics 0.0.0.0:9750 (every interface)."), "--metrics")
                : (config?.Metrics, "metrics.listen");
            using MessageArchive archive = await MessageArchive.OpenAsync(archivePath, ArchiveAccess.ReadWrite, cli.Clock, ct);
            logger.LogInformation("watching {Count} account(s) into {Archive}; poll interval {Poll} s.", accounts.Count, archive.Layout.Root, pollInterval.TotalSeconds);
            foreach (AccountSpec a in accounts.Where(a => a.Primary is not null))
                logger.LogInformation("{Account}: looking at the helpdesk's account {Primary} after every pass (read-only).", a.Name, a.Primary!.Key);
            // Bound after the archive is locked (a second watch is told about the lock, not the port), before READY=1.
            (Core.Metrics.WatchMetrics? metrics, Prometheus.IMetricServer? metricsServer) = metricsAt is null ? default : MetricsServer.Serve(metricsAt, metricsOrigin, archive, accounts, probe, logger);
            using Prometheus.IMetricServer? stopMetrics = metricsServer;
            using Core.Alerts.AlertRun? alerts = config?.Alerts is { } alertOptions
                ? new Core.Alerts.AlertRun(alertOptions, archive.Layout.Root, archive.Layout.DataDir, cli.Clock, logs.CreateLogger("alerts"))
                : null;
            using var watch = new WatchRun(archive, FetchCommand.SourceFactory, new FetchOptions(),
                new WatchOptions
                {
                    PollInterval = pollInterval,
                    UseIdle = !result.GetValue(noIdle),
                    Heartbeat = heartbeat,
                    Observer = metrics,
                    Alerts = alerts is null ? null : new Core.Alerts.WatchAlerting(alerts, StatusCommand.Options(config!), pollInterval),
                    PruneOlderThanDays = config?.PruneOlderThanDays,
                    PruneMinimumDays = config?.PruneMinimumDays ?? PruneCutoff.DefaultMinimumDays,
                    MaxConnectionsPerServer = config?.MaxConnectionsPerServer ?? WatchOptions.DefaultMaxConnectionsPerServer,
                    ConnectionCaps = config?.ConnectionCaps ?? new Dictionary<string, int>(),
                }, logger);
            if (config?.PruneOlderThanDays is int pruneDays)
                logger.LogInformation("pruning messages received more than {Days} days ago, once a day.", pruneDays);
            if (probe is not null)
                logger.LogInformation("checking the alias {Alias} every {Minutes} min.", probe.Options.Alias, probe.Interval.TotalMinutes);
            // Under systemd (Type=notify): started once the archive is open and locked; STOPPING=1 on the way out.
            await using Core.Service.SystemdNotifier? systemd = Core.Service.SystemdNotifier.FromEnvironment();
            systemd?.Ready($"watching {accounts.Count} account(s) into {archive.Layout.Root}", cli.Clock);
            await watch.RunAsync(accounts, ct, probe);
            return 0;
        }));
        return command;
    }

    /// <summary>Attaches <c>--primary</c> to the one account (from --source, or a configuration with one account).</summary>
    private static IReadOnlyList<AccountSpec> WithPrimary(ParseResult result, IReadOnlyList<AccountSpec> accounts, Option<string?> primary, Option<string?> password, TokenOptions tokens, SourceArguments sources)
    {
        string? uri = result.GetValue(primary);
        if (uri is null)
        {
            if (tokens.Given(result))
                throw Core.Errors.MailRecoveryException.Usage($"{tokens.TokenFile.Name} or {tokens.TokenCommand.Name} was given without --primary.", "add --primary URI (the helpdesk's own account), or drop the token flag.");
            if (result.GetValue(password) is not null)
                throw Core.Errors.MailRecoveryException.Usage("--primary-password-file was given without --primary.", "add --primary URI (the helpdesk's own account), or drop --primary-password-file.");
            return accounts;
        }

        if (accounts.Count != 1)
            throw Core.Errors.MailRecoveryException.Usage($"--primary names one helpdesk account, but {accounts.Count} accounts are configured.", "put a \"primary\" entry in each account of the configuration instead.");
        Core.Sources.SourceEndpoint endpoint = Core.Sources.SourceUri.Parse(uri, result.GetValue(sources.Insecure));
        var spec = new Core.Primary.PrimarySpec(endpoint, tokens.Resolve(result, result.GetValue(password), "MAILRECOVERY_PRIMARY_PASSWORD"),
            Core.Sources.CertificateTrust.FromFile(result.GetValue(sources.CaFile)));
        return [accounts[0] with { Primary = spec }];
    }
}
