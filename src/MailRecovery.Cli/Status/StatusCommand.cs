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
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file (for the archive path)." };
        var days = new Option<int>("--days") { Description = "Days of history in the chart.", DefaultValueFactory = _ => 30 };
        var quiet = new Option<double>("--quiet-hours") { Description = "Warn when nothing was archived for longer than this many hours.", DefaultValueFactory = _ => 24 };
        var tz = new Option<string?>("--tz") { Description = "Time zone of the chart's days (IANA). Default: the machine's." };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON (for monitoring)." };
        var command = new Command("status", "Per account: last fetch, last message, archive size, last alias check; messages per day with gaps flagged. Exit 1 when something needs attention.");
        foreach (Option o in new Option[] { archive, config, days, quiet, tz, json })
            command.Options.Add(o);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(json), async () =>
        {
            string path = result.GetValue(archive) is string a ? Path.GetFullPath(a)
                : result.GetValue(config) is string c ? Core.Configuration.ConfigLoader.Load(c).Archive
                : throw MailRecoveryException.Usage("no archive given.", "pass --archive DIR (or --config FILE).");
            if (result.GetValue(days) is < 2 or > 3660)
                throw MailRecoveryException.Usage("--days must be from 2 to 3660.", "e.g. --days 30.");
            var options = new StatusOptions
            {
                Days = result.GetValue(days),
                QuietPeriod = TimeSpan.FromHours(result.GetValue(quiet)),
                TimeZone = ReplayTime.Zone(result.GetValue(tz)),
            };
            using MessageArchive store = await MessageArchive.OpenAsync(path, ArchiveAccess.ReadOnly, cli.Clock, ct);
            StatusReport report = StatusBuilder.Build(store.Index, options, cli.Clock);
            if (result.GetValue(json))
                cli.Out.WriteLine(JsonSerializer.Serialize(Json(report, options), JsonOutput.Options));
            else
                WriteText(cli.Out, report, options);
            return report.ExitCode;
        }));
        return command;
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

        o.WriteLine(r.LastProbe is { } p ? $"last alias check: {Time(p.At, options.TimeZone)} {p.Alias}: {p.Verdict}" : "last alias check: never (run 'mailrecovery alias verify')");
        int max = Math.Max(1, r.Days.Max(d => d.Count));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"messages per day ({options.TimeZone.Id}; usual {r.UsualLow}–{r.UsualHigh}):"));
        foreach (DayVolume d in r.Days)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {d.Day:yyyy-MM-dd} {d.Day.DayOfWeek.ToString()[..3]} {new string('#', d.Count * 40 / max),-40} {d.Count,6}{(d.Low ? "  << low" : string.Empty)}"));
        foreach (string w in r.Warnings)
            o.WriteLine($"warning: {w}");
        if (r.Warnings.Count == 0)
            o.WriteLine("ok: nothing needs attention.");
    }

    private static string Time(DateTimeOffset? t, TimeZoneInfo zone) =>
        t is null ? "never" : TimeZoneInfo.ConvertTime(t.Value, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    private static object Json(StatusReport r, StatusOptions options) => new
    {
        ok = r.Warnings.Count == 0,
        exitCode = r.ExitCode,
        now = r.Now,
        messages = r.Messages,
        bytes = r.Bytes,
        timeZone = options.TimeZone.Id,
        accounts = r.Accounts.Select(a => new { account = a.Account, lastSuccess = a.LastSuccess, lastReceived = a.LastReceived, messages = a.Messages, bytes = a.Bytes, lastError = a.LastError, lastErrorAt = a.LastErrorAt }),
        lastProbe = r.LastProbe is { } p ? new { at = p.At, alias = p.Alias, verdict = p.Verdict, summary = p.Summary } : null,
        usualLow = r.UsualLow,
        usualHigh = r.UsualHigh,
        days = r.Days.Select(d => new { day = d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), count = d.Count, low = d.Low }),
        warnings = r.Warnings,
    };
}
