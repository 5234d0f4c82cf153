using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Sources;

namespace MailRecovery.Cli.Alias;

/// <summary><c>mailrecovery alias verify</c> (and <c>alias audit</c>): prove the alias delivers to both accounts.</summary>
internal static class AliasCommand
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("alias", "Prove that the mail server's alias delivers to both the helpdesk and the copy account.");
        command.Subcommands.Add(Verify(cli));
        command.Subcommands.Add(AliasAuditCommand.Create(cli));
        return command;
    }

    private static Command Verify(CliContext cli)
    {
        var smtp = new Option<string>("--smtp") { Description = "Where to submit the probe: smtp://[user@]host[:port] (STARTTLS when offered) or smtps://…. Default: probe.smtp of --config." };
        var alias = new Option<string>("--alias") { Description = "The alias address, e.g. support@example.co.jp. Default: probe.alias of --config." };
        var copy = new Option<string>("--copy") { Description = "The copy account, as a source URI (imaps://…, pop3s://…). Default: the account probe.copyAccount (else the first) of --config." };
        var primary = new Option<string?>("--primary") { Description = "The primary (helpdesk) account, as a source URI. Read without disturbing it. Default: probe.primary, else the copy account's primary, of --config." };
        var smtpPassword = new Option<string?>("--smtp-password-file") { Description = "Password for SMTP AUTH (first line of FILE); needs a user in --smtp." };
        var copyPassword = new Option<string?>("--copy-password-file") { Description = "Password of the copy account (else $MAILRECOVERY_PASSWORD)." };
        var primaryPassword = new Option<string?>("--primary-password-file") { Description = "Password of the primary account (else $MAILRECOVERY_PRIMARY_PASSWORD)." };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM certificate(s) to trust in addition to the system store." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the probe in each mailbox.", DefaultValueFactory = _ => 120 };
        var cleanup = new Option<bool>("--cleanup") { Description = "Delete the probe once seen: from the primary at once (before the helpdesk makes a ticket of it) and from the copy account; only that message, matched by its X-MailRecovery-Probe header." };
        var from = new Option<string?>("--from") { Description = "The probe's sender address. Default: mailrecovery-probe@ the alias's domain." };
        var insecure = new Option<bool>("--insecure") { Description = "Allow passwords over unencrypted connections (?tls=none sources, SMTP without TLS)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var archive = new Option<string?>("--archive") { Description = "Record the result in this archive's index, where 'mailrecovery status' shows it. Default with --config: its archive." };
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file: the SMTP server, alias, copy account, primary, passwords, CA and archive, unless a flag gives them." };
        var command = new Command("verify", "Send a probe to the alias and prove it reaches the copy (and the primary). Exit 0 works, 1 broken, 2 usage, 75 could not tell.");
        foreach (Option o in new Option[] { smtp, alias, copy, primary, smtpPassword, copyPassword, primaryPassword, caFile, timeout, cleanup, from, insecure, json, archive, config })
            command.Options.Add(o);
        var smtpTokens = new TokenOptions("smtp-", "the --smtp user");
        var copyTokens = new TokenOptions("copy-", "the copy account");
        var primaryTokens = new TokenOptions("primary-", "the primary account");
        smtpTokens.AddTo(command);
        copyTokens.AddTo(command);
        primaryTokens.AddTo(command);

        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            bool allowInsecure = result.GetValue(insecure);
            if (result.GetValue(timeout) < 1)
                throw MailRecoveryException.Usage("--timeout must be at least 1 second.", "give the seconds to wait, e.g. --timeout 120.");
            using Microsoft.Extensions.Logging.ILoggerFactory logs = CliLogging.Create(Microsoft.Extensions.Logging.LogLevel.Warning, timestamps: false);
            AliasConfig? file = AliasConfig.Load(result.GetValue(config), logs.CreateLogger("alias"));
            AliasVerifyOptions options = Options(file);
            if (!MimeKit.MailboxAddress.TryParse(options.Alias, out _) || !options.Alias.Contains('@', StringComparison.Ordinal))
                throw MailRecoveryException.Usage($"{(result.GetValue(alias) is null ? "probe.alias" : "--alias")} {options.Alias} is not an address.", "give the alias as user@domain.");

            ProbeReport report = await new AliasVerifyRun(options, cli.Clock).RunAsync(ct);
            // The configuration's archive records the result only once watch or fetch has made it; --archive always.
            string? configured = file is not null && File.Exists(new Core.Archive.ArchiveLayout(file.Config.Archive).IndexPath) ? file.Config.Archive : null;
            if ((result.GetValue(archive) ?? configured) is string archivePath)
            {
                // A single row; SQLite's own locking makes this safe beside a running watch.
                using var index = Core.Archive.ArchiveIndex.Open(new Core.Archive.ArchiveLayout(archivePath).IndexPath, readOnly: false);
                ProbeRecorder.Record(index, report, cli.Clock.GetUtcNow());
            }
            else if (file is not null)
            {
                // Said, not silent: a first check run before watch leaves status without it (and probe overdue).
                cli.Error.WriteLine($"note: not recorded: the archive {file.Config.Archive} has no index yet (watch or fetch creates it), so status does not show this check; run it again once watch runs.");
            }

            if (result.GetValue(json))
                cli.Out.WriteLine(JsonOutput.Serialize(Json(report)));
            else
                WriteText(cli.Out, report);
            return report.ExitCode;

            // Each value: the flag when given, else the configuration's; with neither, the fix names both.
            AliasVerifyOptions Options(AliasConfig? file)
            {
                AliasVerifyOptions? probe = file?.Probe;
                string? primaryText = result.GetValue(primary);
                string? smtpPasswordFile = result.GetValue(smtpPassword);
                string? copyPasswordFile = result.GetValue(copyPassword);
                string? primaryPasswordFile = result.GetValue(primaryPassword);
                string? ca = result.GetValue(caFile);
                SmtpEndpoint smtpEndpoint = result.GetValue(smtp) is string s ? SmtpEndpoint.Parse(s, allowInsecure)
                    : probe?.Smtp ?? throw AliasConfig.Missing("--smtp", "probe.smtp", "smtp://host:587");
                SourceEndpoint copyEndpoint = result.GetValue(copy) is string cp ? SourceUri.Parse(cp, allowInsecure)
                    : file?.Copy.Endpoint ?? throw AliasConfig.Missing("--copy", "accounts", "imaps://copy@host/INBOX");
                SourceEndpoint? primaryEndpoint = primaryText is not null ? SourceUri.Parse(primaryText, allowInsecure) : file?.Primary?.Endpoint;
                return new AliasVerifyOptions(
                    smtpEndpoint,
                    smtpPasswordFile is not null || smtpTokens.Given(result) || probe is null ? smtpTokens.Resolve(result, smtpPasswordFile, "MAILRECOVERY_SMTP_PASSWORD") : probe.SmtpCredentials,
                    (result.GetValue(alias) ?? probe?.Alias ?? throw AliasConfig.Missing("--alias", "probe.alias", "support@example.co.jp")).Trim(),
                    result.GetValue(from) ?? probe?.From,
                    copyEndpoint,
                    copyPasswordFile is not null || copyTokens.Given(result) || file is null || result.GetValue(copy) is not null ? copyTokens.Resolve(result, copyPasswordFile, "MAILRECOVERY_PASSWORD") : file.Copy.Credentials,
                    primaryEndpoint,
                    primaryPasswordFile is not null || primaryTokens.Given(result) || file?.Primary is null || primaryText is not null ? primaryTokens.Resolve(result, primaryPasswordFile, "MAILRECOVERY_PRIMARY_PASSWORD") : file.Primary.Credentials,
                    ca is not null || file is null ? CertificateTrust.FromFile(ca) : file.Copy.Trust,
                    TimeSpan.FromSeconds(result.GetValue(timeout)),
                    result.GetValue(cleanup))
                {
                    CleanupPrimary = result.GetValue(cleanup),
                    PrimaryTrust = ca is null && primaryText is null ? file?.Primary?.Trust : null,
                };
            }
        }));
        return command;
    }

    internal static void WriteText(TextWriter o, ProbeReport r)
    {
        o.WriteLine($"alias {r.Alias}: probe {r.Token}");
        if (r.Smtp is { } s)
            o.WriteLine(s.Accepted ? "  smtp:    accepted" : $"  smtp:    REFUSED {s.ReplyCode} {s.ReplyText}");
        foreach (MailboxObservation? m in new[] { r.Copy, r.Primary })
        {
            if (m is null)
                continue;
            string state = m.Found
                ? string.Create(CultureInfo.InvariantCulture, $"delivered in {m.Latency!.Value.TotalSeconds:0.0} s to {m.Folder}")
                : r.Smtp?.Accepted == false ? "not checked (the probe was refused at SMTP)" : "NOT seen within the timeout";
            o.WriteLine($"  {m.Role + ":",-8} {state}  ({m.Mailbox})");
        }

        foreach (ProbeFinding f in r.Findings)
        {
            o.WriteLine($"  problem: {f.Problem}");
            o.WriteLine($"  fix:     {f.Fix}");
        }

        foreach (string n in r.Notes)
            o.WriteLine($"  note:    {n}");
        o.WriteLine(r.Verdict switch
        {
            ProbeVerdict.Works => "result: the alias works.",
            ProbeVerdict.Broken => "result: the alias is BROKEN.",
            _ => "result: could not tell.",
        });
    }

    internal static ProbeJson Json(ProbeReport r) => new(
        Ok: r.Verdict == ProbeVerdict.Works,
        ExitCode: r.ExitCode,
        Verdict: r.Verdict.ToString().ToLowerInvariant(),
        Alias: r.Alias,
        Token: r.Token,
        Smtp: r.Smtp is null ? null : new ProbeJson.SmtpJson(r.Smtp.Accepted, r.Smtp.ReplyCode, r.Smtp.ReplyText, r.Smtp.SentAt),
        Copy: Observation(r.Copy),
        Primary: Observation(r.Primary),
        Findings: [.. r.Findings.Select(f => new ProbeJson.FindingJson(f.Problem, f.Fix))],
        PrimaryCleanup: r.PrimaryCleanup is ProbeCleanupOutcome c ? ProbeRecorder.Name(c) : null,
        Notes: r.Notes);

    private static ProbeJson.MailboxJson? Observation(MailboxObservation? m) => m is null ? null : new(
        Mailbox: m.Mailbox,
        Delivered: m.Found,
        LatencySeconds: m.Latency is null ? null : Math.Round(m.Latency.Value.TotalSeconds, 3),
        Folder: m.Folder,
        DeliveredTo: m.DeliveredTo,
        QuotaPercent: m.QuotaPercent);
}
