using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MailRecovery.Cli.Common;
using MailRecovery.Cli.Replay;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Probe.Audit;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Sources;

namespace MailRecovery.Cli.Alias;

/// <summary>
/// <c>mailrecovery alias audit</c>: compare the messages of a window in the primary (helpdesk) account with the
/// archive by message identity, and list what one has and the other lacks, and what the primary holds twice. Reads only. Exit 0 both lists empty, 1 otherwise,
/// 2 usage, 75 could not tell.
/// </summary>
internal static class AliasAuditCommand
{
    /// <summary>What a primary-only message means, shown under its list.</summary>
    internal const string PrimaryOnlyMeaning = "the alias did not deliver these to the copy account; MailRecovery cannot restore them.";

    /// <summary>What a copy-only message means, shown under its list.</summary>
    internal const string CopyOnlyMeaning = "the helpdesk never got these, or has already deleted them or exported them elsewhere.";

    internal const string WithoutIdMeaning = "messages without a Message-ID are matched by content where the primary can be read whole (IMAP, POP3 with UIDL, Maildir, eml); in an mbox they cannot be matched and are counted, not listed — compare them by hand if the counts differ.";

    /// <summary>What a duplicate means, shown under its list.</summary>
    internal const string DuplicateMeaning = "the helpdesk holds these more than once (a duplicating replay, or a double delivery): each copy may become a ticket; remove the extra copies.";

    public static Command Create(CliContext cli)
    {
        var archive = new Option<string?>("--archive") { Description = "Archive directory." };
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file: the archive, and the primary (probe.primary, else the copy account's primary) with its password and CA, unless a flag gives them." };
        var primary = new Option<string>("--primary") { Description = "Where the helpdesk's mail is: imap[s]://user@host[:port][/Mailbox], pop3[s]://user@host[:port], maildir:/path, mbox:/file or eml:/dir. Read without changing anything. Default: the primary of --config." };
        var since = new Option<string>("--since") { Description = "Start of the window, included: ISO 8601 with offset (2026-11-26T02:00+09:00) or a local time (\"2026-11-26 02:00\", read in --tz).", Required = true };
        var until = new Option<string?>("--until") { Description = "End of the window, excluded. Default: now." };
        var tz = new Option<string?>("--tz") { Description = "Time zone (IANA, e.g. Asia/Tokyo) for local times. Default: the machine's." };
        var passwordFile = new Option<string?>("--password-file") { Description = $"Password of the primary account (first line of FILE; else ${PrimarySourceOptions.PasswordVariable})." };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM certificate(s) to trust in addition to the system store." };
        var insecure = new Option<bool>("--insecure") { Description = "Allow ?tls=none on the primary." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("audit", "Compare the messages of a window in the primary account with the archive, by Message-ID and content: what the copy lacks, the reverse, and what the primary holds twice. Exit 0 none, 1 some, 2 usage, 75 could not tell.");
        foreach (Option o in new Option[] { archive, config, primary, since, until, tz, passwordFile, caFile, insecure, json })
            command.Options.Add(o);
        var tokens = new TokenOptions("", "the primary account");
        tokens.AddTo(command);

        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            using Microsoft.Extensions.Logging.ILoggerFactory logs = CliLogging.Create(Microsoft.Extensions.Logging.LogLevel.Warning, timestamps: false);
            AliasConfig? file = AliasConfig.Load(result.GetValue(config), logs.CreateLogger("audit"));
            string archivePath = result.GetValue(archive) is string a ? Path.GetFullPath(a)
                : file?.Config.Archive ?? throw MailRecoveryException.Usage("no archive given.", "pass --archive DIR, or --config FILE.");
            TimeZoneInfo zone = ReplayTime.Zone(result.GetValue(tz));
            DateTimeOffset start = ReplayTime.Parse(result.GetValue(since)!, zone, "--since");
            DateTimeOffset end = result.GetValue(until) is string u ? ReplayTime.Parse(u, zone, "--until") : cli.Clock.GetUtcNow();
            if (end <= start)
                throw MailRecoveryException.Usage($"the window is empty: --until ({end:O}) is not after --since ({start:O}).", "check the times and their offsets.");
            IPrimaryMailSource source = result.GetValue(primary) is string p
                ? PrimarySourceFactory.Create(p, new PrimarySourceOptions(result.GetValue(passwordFile), result.GetValue(caFile), result.GetValue(insecure))
                {
                    Credential = tokens.Given(result) ? tokens.Resolve(result, result.GetValue(passwordFile), null) : null,
                })
                : file?.Primary is { } spec
                    ? PrimarySourceFactory.Create(
                        spec.Endpoint,
                        result.GetValue(passwordFile) is not null || tokens.Given(result) ? tokens.Resolve(result, result.GetValue(passwordFile), null) : spec.Credentials,
                        result.GetValue(caFile) is string ca ? CertificateTrust.FromFile(ca) : spec.Trust)
                    : throw AliasConfig.Missing("--primary", file is null ? "accounts[0].primary" : $"{file.CopyKey}.primary", "imaps://helpdesk@host/INBOX");

            using MessageArchive store = await MessageArchive.OpenAsync(archivePath, ArchiveAccess.ReadOnly, cli.Clock, ct);
            AliasAuditReport report = await new AliasAuditRun(store.Index, source, new AliasAuditOptions(start, end)).RunAsync(ct);
            if (result.GetValue(json))
                cli.Out.WriteLine(JsonOutput.Serialize(Json(report, archivePath)));
            else
                WriteText(cli.Out, report, archivePath, zone);
            return report.ExitCode;
        }));
        return command;
    }

    internal static void WriteText(TextWriter o, AliasAuditReport r, string archive, TimeZoneInfo zone)
    {
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"alias audit: {r.PrimaryInWindow} in the primary, {r.CopyInWindow} in the copy, {r.Matched} matched; {r.PrimaryOnly.Count} missing from the copy, {r.CopyOnly.Count} not in the primary, {r.Duplicates.Count} duplicated in the primary."));
        o.WriteLine($"  window:  [{ReplayPlanWriter.Utc(r.Since)}, {ReplayPlanWriter.Utc(r.Until)}) UTC, by receipt time (start included, end excluded)");
        o.WriteLine($"           [{ReplayPlanWriter.Local(r.Since, zone)}, {ReplayPlanWriter.Local(r.Until, zone)}) {zone.Id}");
        o.WriteLine($"  primary: {r.Primary} (listed {Hours(r.Margin)} beyond each end, so clock differences raise no false alarm)");
        o.WriteLine($"  copy:    {archive}");
        WriteList(o, "in the primary, missing from the copy", r.PrimaryOnly, PrimaryOnlyMeaning, zone);
        WriteList(o, "in the copy, not in the primary", r.CopyOnly, CopyOnlyMeaning, zone);
        WriteDuplicates(o, r.Duplicates, zone);
        if (r.PrimaryWithoutMessageId > 0 || r.CopyWithoutMessageId > 0)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"without Message-ID: {r.PrimaryWithoutMessageId} in the primary ({r.Unidentified} not comparable), {r.CopyWithoutMessageId} in the copy."));
            o.WriteLine($"  {WithoutIdMeaning}");
        }

        o.WriteLine(r.ExitCode == ExitCodes.Ok
            ? "result: the primary and the copy hold the same messages in this window."
            : "result: the primary and the copy DIFFER in this window.");
    }

    private static void WriteList(TextWriter o, string title, IReadOnlyList<AuditMessage> messages, string meaning, TimeZoneInfo zone)
    {
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{title} ({messages.Count}):"));
        if (messages.Count == 0)
        {
            o.WriteLine("  (none)");
            return;
        }

        o.WriteLine($"  {meaning}");
        foreach (AuditMessage m in messages)
            o.WriteLine($"  {ReplayPlanWriter.Local(m.ReceivedAt, zone)}  <{m.MessageId}>  {m.From ?? "(no From)"}  \"{m.Subject ?? "(no subject)"}\"");
    }

    private static void WriteDuplicates(TextWriter o, IReadOnlyList<AuditDuplicate> duplicates, TimeZoneInfo zone)
    {
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in the primary more than once ({duplicates.Count}):"));
        if (duplicates.Count == 0)
        {
            o.WriteLine("  (none)");
            return;
        }

        o.WriteLine($"  {DuplicateMeaning}");
        foreach (AuditDuplicate d in duplicates)
        {
            AuditMessage m = d.Message;
            string how = d.ContentCompared ? string.Empty : "  (same Message-ID; the content could not be compared)";
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {ReplayPlanWriter.Local(m.ReceivedAt, zone)}  {d.Copies} copies  <{m.MessageId ?? "no Message-ID"}>  {m.From ?? "(no From)"}  \"{m.Subject ?? "(no subject)"}\"{how}"));
        }
    }

    private static string Hours(TimeSpan t) =>
        t.TotalHours % 24 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalDays:0} day(s)") : string.Create(CultureInfo.InvariantCulture, $"{t.TotalHours:0.#} hour(s)");

    internal static AuditJson Json(AliasAuditReport r, string archive) => new(
        Ok: r.ExitCode == ExitCodes.Ok,
        ExitCode: r.ExitCode,
        Primary: r.Primary,
        Archive: archive,
        Window: new AuditJson.WindowJson(r.Since.ToUniversalTime(), r.Until.ToUniversalTime(), "received", r.Margin.TotalHours),
        Counts: new AuditJson.CountsJson(
            Primary: r.PrimaryInWindow,
            Copy: r.CopyInWindow,
            Matched: r.Matched,
            PrimaryOnly: r.PrimaryOnly.Count,
            CopyOnly: r.CopyOnly.Count,
            PrimaryWithoutMessageId: r.PrimaryWithoutMessageId,
            CopyWithoutMessageId: r.CopyWithoutMessageId,
            Duplicates: r.Duplicates.Count,
            Unidentified: r.Unidentified),
        PrimaryOnly: [.. r.PrimaryOnly.Select(Entry)],
        CopyOnly: [.. r.CopyOnly.Select(Entry)],
        Duplicates: [.. r.Duplicates.Select(d => new AuditJson.DuplicateJson(Entry(d.Message), d.Copies, d.ContentCompared))],
        Meaning: new AuditJson.MeaningJson(PrimaryOnlyMeaning, CopyOnlyMeaning, WithoutIdMeaning, DuplicateMeaning));

    private static AuditJson.MessageJson Entry(AuditMessage m) => new(m.MessageId, m.ReceivedAt.ToUniversalTime(), m.From, m.Subject);
}
