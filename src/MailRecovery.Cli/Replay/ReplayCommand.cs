using System.CommandLine;
using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Cli.Replay;

/// <summary>
/// <c>mailrecovery replay</c>: re-import a time window of archived mail into the system's mail store, exactly
/// once. The flags are a scripting contract.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(CliContext cli)
    {
        var archive = new Option<string?>("--archive") { Description = "Archive directory." };
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file: the archive path, and the target's password and CA (section \"replay\", else the top-level caFile) unless given here." };
        var since = new Option<string?>("--since") { Description = "Start of the window, included: ISO 8601 with offset (2026-11-26T02:00+09:00) or a local time (\"2026-11-26 02:00\", read in --tz)." };
        var sinceBackup = new Option<string?>("--since-backup") { Description = "Start the window at the backup's time: the newest modification time of a file under PATH (the restored data) or in the backup PATH.tar, .tar.gz/.tgz or .zip (zip times read in --tz)." };
        var pulledAfter = new Option<string?>("--pulled-after") { Description = "Replay exactly what the helpdesk took from its own account after this time (same forms as --since, or snapshot:ID: when that snapshot's copy started), from the ledger watch --primary keeps. Mail still waiting there is left for the helpdesk." };
        var skipAround = new Option<bool>("--skip-taken-around") { Description = "With --pulled-after: leave out messages the helpdesk took between two looks around that time (default: replay them; a duplicate ticket is better than a lost one)." };
        var until = new Option<string?>("--until") { Description = "End of the window, excluded. Default: now." };
        var tz = new Option<string?>("--tz") { Description = "Time zone (IANA, e.g. Asia/Tokyo) for local times and the per-day histogram. Default: the machine's." };
        var by = new Option<string>("--by") { Description = "Which time selects: received (server receipt time, default), date (Date: header), archived.", DefaultValueFactory = _ => "received" };
        var to = new Option<string>("--to") { Description = "Target: imap[s]://user@host[:port]/Mailbox, smtp[s]://host[:port], lmtp://host:port, lmtp:/socket, maildir:/path, mbox:/file, eml:/dir, emlzip:/file.zip, pipe:COMMAND.", Required = true };
        var passwordFile = new Option<string?>("--password-file") { Description = "Password of the target account (first line of FILE; else $MAILRECOVERY_PASSWORD)." };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM certificate(s) to trust in addition to the system store." };
        var insecure = new Option<bool>("--insecure") { Description = "Allow ?tls=none on the target." };
        var rcpt = new Option<string[]>("--rcpt") { Description = "SMTP/LMTP: envelope recipient (repeatable).", AllowMultipleArgumentsPerToken = false };
        var mailFrom = new Option<string?>("--mail-from") { Description = "SMTP/LMTP: envelope sender for messages without Return-Path." };
        var resent = new Option<bool>("--resent-headers") { Description = "SMTP/LMTP: add Resent-* headers (the message bytes then change)." };
        var seen = new Option<bool>("--seen") { Description = "IMAP: append as read (\\Seen). Default: unread, like new mail." };
        var recipient = new Option<string[]>("--recipient") { Description = "Only messages delivered to this address (To/Cc/Delivered-To/X-Original-To; repeatable)." };
        var sender = new Option<string[]>("--sender") { Description = "Only messages from this address (repeatable)." };
        var messageId = new Option<string[]>("--message-id") { Description = "Only these Message-IDs (repeatable)." };
        var probes = new Option<bool>("--include-probes") { Description = "Also replay alias-verification probes (excluded by default)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would be replayed (count, size, first/last, per-day histogram, clock), check that the target can be reached and logged in to, and change nothing." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Deliver without asking (required when not on a terminal)." };
        var json = new Option<bool>("--json") { Description = "Print the plan and report as JSON." };
        var rate = new Option<string?>("--rate") { Description = "At most N messages per second (\"5/s\" or \"5\"), so the helpdesk does not fire a storm of auto-replies." };
        var resendUncertain = new Option<bool>("--resend-uncertain") { Description = "Send again messages whose earlier delivery has an unknown outcome (may duplicate them)." };
        var deliverAs = new Option<string?>("--deliver-as") { Description = "Rewrite the copy account's Delivered-To/X-Original-To on top of each message to ADDR (for a helpdesk that routes on them); the rest stays byte for byte." };

        var snapshotStore = new Option<string?>("--snapshot-store") { Description = "The snapshot store for times written snapshot:ID (the moment that snapshot's copy started), e.g. --pulled-after snapshot:20261129T020000.123Z-3fa2. Default: the configuration's snapshots.store." };
        var checkIn = new Option<string?>("--check-in") { Description = "SMTP/LMTP: the IMAP mailbox the target delivers to (imap[s]://user@host[:port]/Mailbox), looked at read-only: what is there is not sent again, and unfinished deliveries are settled by looking." };
        var connections = new Option<int?>("--connections") { Description = $"SMTP: deliver on up to N connections at once (default {ReplayTargetOptions.DefaultConnections}; 1 delivers strictly one after the other). Messages start oldest first and may arrive out of order; --rate counts them all together." };
        var checkInPasswordFile = new Option<string?>("--check-in-password-file") { Description = "Password of the --check-in account (first line of FILE; else $MAILRECOVERY_CHECK_IN_PASSWORD)." };

        var command = new Command("replay", "Re-import the archived messages of a time window into a mail store, exactly once. Safe to run twice or to interrupt.");
        foreach (Option o in new Option[] { archive, config, since, sinceBackup, pulledAfter, skipAround, until, tz, by, to, passwordFile, caFile, insecure, rcpt, mailFrom, resent, seen, recipient, sender, messageId, probes, dryRun, yes, json, rate, resendUncertain, deliverAs })
            command.Options.Add(o);
        command.Options.Add(checkIn);
        command.Options.Add(checkInPasswordFile);
        var targetTokens = new TokenOptions("", "the target account");
        var checkInTokens = new TokenOptions("check-in-", "the --check-in account");
        targetTokens.AddTo(command);
        checkInTokens.AddTo(command);
        command.Options.Add(snapshotStore);
        command.Options.Add(connections);

        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            // The configuration gives the archive and, unless the command line says otherwise, how to reach the
            // target (its "replay" section; the top-level caFile as the default CA).
            using ILoggerFactory logs = CliLogging.Create(LogLevel.Warning, timestamps: false);
            Core.Configuration.MailRecoveryConfig? configured = result.GetValue(config) is string c ? Core.Configuration.ConfigLoader.Load(c, logs.CreateLogger("replay")) : null;
            string archivePath = result.GetValue(archive) is string a ? Path.GetFullPath(a)
                : configured?.Archive ?? throw MailRecoveryException.Usage("no archive given.", "pass --archive DIR, or --config FILE (its \"archive\").");
            TimeZoneInfo zone = ReplayTime.Zone(result.GetValue(tz));
            string? pulledText = result.GetValue(pulledAfter);
            string? snapshots = result.GetValue(snapshotStore) ?? configured?.SnapshotStore;
            ReplayWindow window = pulledText is null
                ? Window(result, since, sinceBackup, until, by, zone, cli.Clock, snapshots)
                : PulledWindow(result, pulledText, since, sinceBackup, until, zone, cli.Clock, snapshots);
            var filter = new ReplayFilter(result.GetValue(recipient) ?? [], result.GetValue(sender) ?? [], result.GetValue(messageId) ?? [], result.GetValue(probes));
            Core.Configuration.ReplayTargetSettings? fromConfig = configured?.Replay;
            var targetOptions = new ReplayTargetOptions(result.GetValue(passwordFile) ?? fromConfig?.PasswordFile, result.GetValue(caFile) ?? fromConfig?.CaFile,
                result.GetValue(insecure) || fromConfig?.Insecure == true, result.GetValue(rcpt) ?? [], result.GetValue(mailFrom), result.GetValue(resent), result.GetValue(seen))
            {
                PasswordEnvironmentVariable = fromConfig?.PasswordEnvironmentVariable ?? "MAILRECOVERY_PASSWORD",
                // The configured check-in mailbox serves the targets that can use it (SMTP, LMTP); an IMAP or file
                // target looks for itself, so the key does not make their command line an error.
                CheckIn = result.GetValue(checkIn) ?? (DeliversThroughSmtp(result.GetValue(to)!) ? fromConfig?.CheckIn : null),
                CheckInPasswordFile = result.GetValue(checkInPasswordFile) ?? fromConfig?.CheckInPasswordFile,
                CheckInPasswordEnvironmentVariable = fromConfig?.CheckInPasswordEnvironmentVariable ?? "MAILRECOVERY_CHECK_IN_PASSWORD",
                Credential = targetTokens.Given(result) ? targetTokens.Resolve(result, result.GetValue(passwordFile), null)
                    : result.GetValue(passwordFile) is null ? fromConfig?.Credential : null,
                CheckInCredential = checkInTokens.Given(result) ? checkInTokens.Resolve(result, result.GetValue(checkInPasswordFile), null)
                    : result.GetValue(checkInPasswordFile) is null ? fromConfig?.CheckInCredential : null,
                Connections = Connections(result.GetValue(connections)) ?? fromConfig?.Connections ?? ReplayTargetOptions.DefaultConnections,
            };
            var options = new ReplayOptions { ResendUncertain = result.GetValue(resendUncertain), MessagesPerSecond = ParseRate(result.GetValue(rate)) };
            // Issue 13: Exchange Online takes 30 messages a minute per mailbox; its pace is the default, said in the plan.
            string? providerRate = null;
            if (result.GetValue(rate) is null && ProviderRates.DefaultFor(result.GetValue(to)!) is { } limit)
            {
                options.MessagesPerSecond = limit;
                providerRate = "rate: 30 messages a minute (Exchange Online's sending limit per mailbox; --rate overrides it)";
            }

            // A known provider's per-mailbox connection limit caps the lanes (the target factory applies it); say so.
            if (Core.Protocols.ProviderConnectionCaps.ClampLanes(result.GetValue(to)!, targetOptions.Connections).Notice is { } lanes)
                providerRate = providerRate is null ? lanes : providerRate + Environment.NewLine + lanes;

            options.DeliverAs = result.GetValue(deliverAs) is string da ? DeliveredToRewrite.ValidateAddress(da) : null;
            bool asJson = result.GetValue(json);
            bool dry = result.GetValue(dryRun);

            using MessageArchive store = await MessageArchive.OpenAsync(archivePath, ArchiveAccess.ReadOnly, cli.Clock, ct);

            // One replay at a time per archive: two would race on the journal and could deliver twice.
            using ArchiveLock replayLock = ArchiveLock.Acquire(Path.Combine(store.Layout.DataDir, "replay.lock"), "a replay");
            await using IReplayTarget target = ReplayTargetFactory.Create(result.GetValue(to)!, targetOptions, cli.Clock);
            long selectStart = cli.Clock.GetTimestamp();
            PulledAfterSelection? pulled = pulledText is null ? null : PulledAfterSelector.Select(store.Index, window.Since, filter, !result.GetValue(skipAround));
            ReplayPlan plan = pulled is not null ? new ReplayPlan(window, zone, pulled.Messages) { PulledAfter = pulled }
                : dry ? ReplaySelector.Summarize(store.Index, window, filter, zone)
                : new ReplayPlan(window, zone, ReplaySelector.Select(store.Index, window, filter));
            TimeSpan selectTime = cli.Clock.GetElapsedTime(selectStart);
            plan = plan with { DeliverAs = options.DeliverAs };

            if (dry)
            {
                // Connect and log in (changing nothing), so a TLS or password problem shows now, not mid-incident.
                // A failure is the verb's classified error with its fix and exit code (--json: the error report).
                if (asJson)
                {
                    string checkedJson = await ReplayTargetCheck.RunAsync(target, result.GetValue(to)!, ct);
                    ReplayReportWriter.WriteJson(cli.Out, ReplayReportWriter.Json(plan, null, target.Description, true, selectTime) with { TargetCheck = checkedJson });
                }
                else
                {
                    ReplayPlanWriter.WriteText(cli.Out, plan, target.Description);
                    if (providerRate is not null)
                        cli.Out.WriteLine(providerRate);
                    cli.Out.WriteLine($"target checked: {await ReplayTargetCheck.RunAsync(target, result.GetValue(to)!, ct)}");
                }

                return ExitCodes.Ok;
            }

            if (!asJson)
            {
                ReplayPlanWriter.WriteText(cli.Out, plan, target.Description);
                if (providerRate is not null)
                    cli.Out.WriteLine(providerRate);
            }
            if (!result.GetValue(yes))
            {
                if (!cli.IsTerminal)
                    throw MailRecoveryException.Usage("replay delivers mail and needs a confirmation.", "check the plan with --dry-run, then add --yes.");
                cli.Out.Write($"Replay {plan.Count} message(s) to {target.Description}? [y/N] ");
                string? answer = Console.In.ReadLine();
                if (!string.Equals(answer?.Trim(), "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer?.Trim(), "yes", StringComparison.OrdinalIgnoreCase))
                {
                    cli.Out.WriteLine("nothing delivered.");
                    return ExitCodes.Ok;
                }
            }

            using ReplayJournal journal = ReplayJournal.Open(store.Layout.JournalPath, cli.Clock);
            ReplayReport report;
            if (asJson)
            {
                report = await new ReplayRun(store, journal, target, options, logs.CreateLogger("replay")).RunAsync(plan, ct);
                ReplayReportWriter.WriteJson(cli.Out, ReplayReportWriter.Json(plan, report, target.Description, false, selectTime));
                return Stopped(cli, report);
            }

            report = cli.IsTerminal
                ? await ProgressBarReplayObserver.RunAsync(plan.Count, o => new ReplayRun(store, journal, target, options, logs.CreateLogger("replay"), o).RunAsync(plan, ct))
                : await new ReplayRun(store, journal, target, options, logs.CreateLogger("replay"), new PlainReplayObserver(cli.Out, plan.Count)).RunAsync(plan, ct);
            ReplayReportWriter.WriteText(cli.Out, report);
            return Stopped(cli, report);
        }));
        return command;
    }

    /// <summary>The exit code; a run stopped early also says why on stderr, as every verb's error does.</summary>
    private static int Stopped(CliContext cli, ReplayReport report)
    {
        if (report.StoppedBy is { } e)
            cli.Error.WriteLine($"error: {e.UserText}");
        return report.ExitCode;
    }

    private static ReplayWindow Window(ParseResult result, Option<string?> since, Option<string?> sinceBackup, Option<string?> until, Option<string> by, TimeZoneInfo zone, TimeProvider clock, string? snapshots)
    {
        string? sinceText = result.GetValue(since);
        string? backup = result.GetValue(sinceBackup);
        if ((sinceText is null) == (backup is null))
            throw MailRecoveryException.Usage("give exactly one of --since, --since-backup and --pulled-after.", "--pulled-after 2026-11-26T02:00+09:00 when watch observes the helpdesk's account (--primary), else --since 2026-11-26T02:00+09:00 or --since-backup /path/to/restored/data.");
        BackupStart? fromBackup = backup is null ? null : BackupTimeReader.Find(backup, zone);
        DateTimeOffset start = fromBackup?.Time ?? ReplayTime.Parse(sinceText!, zone, "--since", snapshots);
        DateTimeOffset end = result.GetValue(until) is string u ? ReplayTime.Parse(u, zone, "--until", snapshots) : clock.GetUtcNow();
        if (end <= start)
            throw MailRecoveryException.Usage($"the window is empty: --until ({end:O}) is not after the start ({start:O}).", "check the times and their offsets.");
        ReplayClock replayClock = result.GetValue(by)?.ToLowerInvariant() switch
        {
            "received" or null => ReplayClock.Received,
            "date" => ReplayClock.Date,
            "archived" => ReplayClock.Archived,
            string other => throw MailRecoveryException.Usage($"--by {other} is not a clock.", "use received (default), date or archived."),
        };
        return new ReplayWindow(start, end, replayClock) { StartSetBy = fromBackup?.SetBy };
    }

    /// <summary>--pulled-after T: the plan's window is [T, now) on the receipt clock, for display only.</summary>
    private static ReplayWindow PulledWindow(ParseResult result, string text, Option<string?> since, Option<string?> sinceBackup, Option<string?> until, TimeZoneInfo zone, TimeProvider clock, string? snapshots)
    {
        if (result.GetValue(since) is not null || result.GetValue(sinceBackup) is not null)
            throw MailRecoveryException.Usage("--pulled-after selects by what the helpdesk took, --since and --since-backup by receipt time: give one of them.", "--pulled-after 2026-11-26T02:00+09:00 (the backup's time) when watch observes the helpdesk's account, else --since or --since-backup.");
        if (result.GetValue(until) is not null)
            throw MailRecoveryException.Usage("--until does not apply to --pulled-after: it replays everything the helpdesk took after that time.", "drop --until, or use --since with --until for a receipt-time window.");
        DateTimeOffset t = ReplayTime.Parse(text, zone, "--pulled-after", snapshots);
        DateTimeOffset now = clock.GetUtcNow();
        return new ReplayWindow(t, now > t ? now : t, ReplayClock.Received);
    }

    /// <summary>An SMTP or LMTP target: the ones a check-in mailbox serves.</summary>
    private static bool DeliversThroughSmtp(string target) =>
        target.Split(':', 2)[0].ToLowerInvariant() is "smtp" or "smtps" or "lmtp";

    private static int? Connections(int? n) => n is null or (>= 1 and <= ReplayTargetOptions.MaxConnections) ? n
        : throw MailRecoveryException.Usage($"--connections {n} is out of range.", $"give a whole number from 1 to {ReplayTargetOptions.MaxConnections}; 1 delivers one message after the other.");

    private static double ParseRate(string? text)
    {
        if (text is null)
            return 0;
        string number = text.Trim().EndsWith("/s", StringComparison.OrdinalIgnoreCase) ? text.Trim()[..^2] : text.Trim();
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) && r > 0
            ? r
            : throw MailRecoveryException.Usage($"--rate {text} is not a rate.", "write messages per second, e.g. --rate 5/s.");
    }
}
