using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Status;

namespace MailRecovery.Cli.Status;

/// <summary><c>mailrecovery status</c>: is the copy arriving? Read-only; runs beside watch.</summary>
internal static class StatusCommand
{
    public static Command Create(CliContext cli)
    {
        var archive = new Option<string?>("--archive") { Description = "Archive directory." };
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file (archive path, poll interval and probe schedule for the staleness limits, status.* limits)." };
        var days = new Option<int>("--days") { Description = "Days of history in the chart.", DefaultValueFactory = _ => 30 };
        var quiet = new Option<double>("--quiet-hours") { Description = "Warn when nothing was archived for longer than this many hours.", DefaultValueFactory = _ => 24 };
        var maxWaiting = new Option<double?>("--max-waiting-minutes") { Description = "Flag a helpdesk that stopped pulling: mail waiting in its account longer than this (default 30, or status.maxWaitingMinutes)." };
        var maxPassAge = new Option<double?>("--max-pass-age-minutes") { Description = "Flag watch as not running, or an account as failing, without a successful pass for longer than this (default 5 poll intervals, or status.maxPassAgeMinutes; 5 without --config)." };
        var tz = new Option<string?>("--tz") { Description = "Time zone of the chart's days (IANA). Default: the machine's." };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON (for monitoring)." };
        var alert = new Option<bool>("--alert") { Description = "Send the alerts of the configuration's alerts section for conditions that started, last (daily reminder) or cleared, and print only the warnings; for the mailrecovery-alert timer. Needs --config." };
        var command = new Command("status", "Per account: last fetch, last message, archive size, last alias check; messages per day with gaps flagged. Exit 1 when something needs attention.");
        foreach (Option o in new Option[] { archive, config, days, quiet, maxWaiting, maxPassAge, tz, json, alert })
            command.Options.Add(o);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            using Microsoft.Extensions.Logging.ILoggerFactory logs = CliLogging.Create(Microsoft.Extensions.Logging.LogLevel.Information, timestamps: false);
            Core.Configuration.MailRecoveryConfig? loaded = result.GetValue(config) is string c ? Core.Configuration.ConfigLoader.Load(c, logs.CreateLogger("status")) : null;
            string path = result.GetValue(archive) is string a ? Path.GetFullPath(a)
                : loaded?.Archive ?? throw MailRecoveryException.Usage("no archive given.", "pass --archive DIR (or --config FILE).");
            if (result.GetValue(maxWaiting) is <= 0)
                throw MailRecoveryException.Usage("--max-waiting-minutes must be more than 0.", "e.g. --max-waiting-minutes 30.");
            if (result.GetValue(maxPassAge) is <= 0)
                throw MailRecoveryException.Usage("--max-pass-age-minutes must be more than 0.", "e.g. --max-pass-age-minutes 5.");
            if (result.GetValue(days) is < 2 or > 3660)
                throw MailRecoveryException.Usage("--days must be from 2 to 3660.", "e.g. --days 30.");
            var options = new StatusOptions
            {
                Days = result.GetValue(days),
                QuietPeriod = TimeSpan.FromHours(result.GetValue(quiet)),
                MaxWaiting = result.GetValue(maxWaiting) is double m ? TimeSpan.FromMinutes(m) : loaded?.MaxWaiting ?? Core.Configuration.ConfigLoader.DefaultMaxWaiting,
                MaxPassAge = result.GetValue(maxPassAge) is double age ? TimeSpan.FromMinutes(age) : loaded?.MaxPassAge ?? TimeSpan.FromMinutes(5),
                ProbeInterval = loaded?.Probe?.Interval,
                TimeZone = ReplayTime.Zone(result.GetValue(tz)),
            };
            using MessageArchive store = await MessageArchive.OpenAsync(path, ArchiveAccess.ReadOnly, cli.Clock, ct);
            StatusReport report = StatusBuilder.Build(store.Index, options, cli.Clock);
            if (result.GetValue(alert))
                return await AlertAsync(cli, loaded, store, report, logs, ct);
            if (result.GetValue(json))
                cli.Out.WriteLine(JsonOutput.Serialize(Json(report, options)));
            else
                WriteText(cli.Out, report, options);
            return report.ExitCode;
        }));
        return command;
    }

    /// <summary>
    /// The limits <c>status --config FILE</c> uses without limit flags, for watch's own alert evaluation: watch and the
    /// <c>status --alert</c> timer must agree on what holds, or a condition would start and clear by turns.
    /// </summary>
    internal static StatusOptions Options(Core.Configuration.MailRecoveryConfig config) => new()
    {
        MaxWaiting = config.MaxWaiting ?? Core.Configuration.ConfigLoader.DefaultMaxWaiting,
        MaxPassAge = config.MaxPassAge ?? TimeSpan.FromMinutes(5),
        ProbeInterval = config.Probe?.Interval,
    };

    /// <summary>
    /// <c>--alert</c>: sends what is due and prints the warnings only (the timer's journal gets a line per
    /// condition, not a chart every five minutes). Exit 75 when an alert could not be delivered (tried again at the
    /// next run), else status's own code.
    /// </summary>
    private static async Task<int> AlertAsync(CliContext cli, Core.Configuration.MailRecoveryConfig? config, MessageArchive store, StatusReport report, Microsoft.Extensions.Logging.ILoggerFactory logs, CancellationToken ct)
    {
        if (config?.Alerts is not { } alerts)
            throw MailRecoveryException.Usage("--alert needs a configuration with an alerts section.", "pass --config FILE with \"alerts\" (see docs/alerts.md).");
        using var run = new Core.Alerts.AlertRun(alerts, store.Layout.Root, store.Layout.DataDir, cli.Clock, logs.CreateLogger("alerts"));
        Core.Alerts.AlertRunReport sent = await run.EvaluateAsync(report.Conditions ?? [], ct);
        foreach (string w in report.Warnings)
            cli.Out.WriteLine($"warning: {w}");
        if (report.Warnings.Count == 0)
            cli.Out.WriteLine("ok: nothing needs attention.");
        foreach ((string notifier, Core.Alerts.Alert a) in sent.Sent)
            cli.Out.WriteLine($"alert sent ({notifier}): {a.Headline}: {a.Condition}{(a.Account is null ? string.Empty : $" ({a.Account})")}");
        foreach ((string notifier, Core.Alerts.Alert a, string error) in sent.Failed)
            cli.Out.WriteLine($"alert NOT sent ({notifier}): {a.Headline}: {a.Condition}: {error}");
        return sent.Failed.Count > 0 ? ExitCodes.TemporaryFailure : report.ExitCode;
    }

    private static void WriteText(TextWriter o, StatusReport r, StatusOptions options)
    {
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"archive: {r.Messages} messages, {Units.Megabytes(r.Bytes)}"));
        foreach (AccountStatistics a in r.Accounts)
        {
            o.WriteLine($"{a.Account}");
            o.WriteLine($"  last successful fetch: {Time(a.LastSuccess, options.TimeZone)}");
            o.WriteLine($"  last message received: {Time(a.LastReceived, options.TimeZone)}");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  archived from it:      {a.Messages} messages, {Units.Megabytes(a.Bytes)}"));
            if (a.LastErrorAt is not null)
                o.WriteLine($"  last error:            {Time(a.LastErrorAt, options.TimeZone)}: {a.LastError}");
        }

        foreach (PrimaryState h in r.Primaries ?? [])
        {
            o.WriteLine($"helpdesk account {h.Primary} (of {h.Account})");
            o.WriteLine($"  last looked at:        {Time(h.LastLook, options.TimeZone)}");
            o.WriteLine($"  helpdesk last pulled:  {Time(h.LastTaken, options.TimeZone)}");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  waiting at last look:  {h.Waiting}{(h.OldestWaitingSince is { } w ? $", the oldest since {Time(w, options.TimeZone)}" : string.Empty)}"));
        }

        o.WriteLine(r.LastProbe is { } p ? $"last alias check: {Time(p.At, options.TimeZone)} {p.Alias}: {p.Verdict}" : "last alias check: never (run 'mailrecovery alias verify')");
        if (r.ProbeCleanups is { } c)
            o.WriteLine(ProbeCleanupLine(c, options.TimeZone));
        int max = Math.Max(1, r.Days.Max(d => d.Count));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"messages per day ({options.TimeZone.Id}; usual {r.UsualLow}–{r.UsualHigh}):"));
        foreach (DayVolume d in r.Days)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {d.Day:yyyy-MM-dd} {d.Day.DayOfWeek.ToString()[..3]} {new string('#', d.Count * 40 / max),-40} {d.Count,6}{(d.Low ? "  << low" : string.Empty)}"));
        foreach (string w in r.Warnings)
            o.WriteLine($"warning: {w}");
        if (r.Warnings.Count == 0)
            o.WriteLine("ok: nothing needs attention.");
    }

    /// <summary>One line: how many probes reached the helpdesk's account and how many the helpdesk took before cleanup.</summary>
    private static string ProbeCleanupLine(ProbeCleanupTally c, TimeZoneInfo zone)
    {
        var parts = new List<string> { $"{c.Removed} removed by cleanup" };
        if (c.MarkedDeleted > 0)
            parts.Add($"{c.MarkedDeleted} marked deleted (no UIDPLUS)");
        parts.Add($"{c.TakenFirst} taken by the helpdesk before cleanup");
        if (c.NeverSeen > 0)
            parts.Add($"{c.NeverSeen} never seen there");
        if (c.Left > 0)
            parts.Add($"{c.Left} left (cleanup off)");
        if (c.Failed > 0)
            parts.Add($"{c.Failed} cleanup failed");
        return string.Create(CultureInfo.InvariantCulture, $"probes in the helpdesk account since {Time(c.Since, zone)}: {c.Total}: {string.Join(", ", parts)}");
    }

    private static string Time(DateTimeOffset? t, TimeZoneInfo zone) =>
        t is null ? "never" : TimeZoneInfo.ConvertTime(t.Value, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    private static StatusJson Json(StatusReport r, StatusOptions options) => new(
        Ok: r.Warnings.Count == 0,
        ExitCode: r.ExitCode,
        Now: r.Now,
        Messages: r.Messages,
        Bytes: r.Bytes,
        TimeZone: options.TimeZone.Id,
        Accounts: [.. r.Accounts.Select(a => new StatusJson.StatusAccountJson(a.Account, a.LastSuccess, a.LastReceived, a.Messages, a.Bytes, a.LastError, a.LastErrorAt))],
        LastProbe: r.LastProbe is { } p ? new StatusJson.LastProbeJson(p.At, p.Alias, p.Verdict, p.Summary) : null,
        UsualLow: r.UsualLow,
        UsualHigh: r.UsualHigh,
        Days: [.. r.Days.Select(d => new StatusJson.StatusDayJson(d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), d.Count, d.Low))],
        Warnings: r.Warnings,
        Conditions: [.. (r.Conditions ?? []).Select(c => new StatusJson.ConditionJson(c.Condition, c.Since, c.Reason, c.Account))],
        Helpdesks: [.. (r.Primaries ?? []).Select(h => new StatusJson.HelpdeskJson(h.Primary, h.Account, h.LastLook, h.LastTaken, h.Waiting, h.OldestWaitingSince))],
        MaxWaitingMinutes: options.MaxWaiting.TotalMinutes,
        MaxPassAgeMinutes: options.MaxPassAge.TotalMinutes,
        ProbeCleanups: r.ProbeCleanups is { } c ? new StatusJson.ProbeCleanupJson(c.Since, c.Total, c.Removed, c.MarkedDeleted, c.TakenFirst, c.NeverSeen, c.Left, c.Failed) : null);
}
