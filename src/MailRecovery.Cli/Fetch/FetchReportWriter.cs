using System.Globalization;
using System.Text.Json;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Fetch;

namespace MailRecovery.Cli.Fetch;

/// <summary>The final summary of a fetch pass, as text or JSON.</summary>
internal static class FetchReportWriter
{
    public static void WriteText(TextWriter output, FetchReport report)
    {
        foreach (AccountReport a in report.Accounts)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{a.Account}: fetched {a.Fetched}, already had {a.AlreadyHad}, failed {a.Failed}, removed from server {a.Removed}, {Units.Megabytes(a.Bytes)}"));
            foreach (string warning in a.Warnings)
                output.WriteLine($"  warning: {warning}");
            foreach (string failure in a.Failures)
                output.WriteLine($"  failed: {failure}");
            if (a.Error is not null)
                output.WriteLine($"  error: {a.Error.UserText}");
        }

        double seconds = report.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total: fetched {report.Fetched}, already had {report.AlreadyHad}, failed {report.Failed}, {Units.Megabytes(report.Bytes)} in {seconds:0.0} s"));
    }

    public static void WriteJson(TextWriter output, FetchReport report)
    {
        var json = new
        {
            ok = report.ExitCode == 0,
            exitCode = report.ExitCode,
            fetched = report.Fetched,
            alreadyHad = report.AlreadyHad,
            failed = report.Failed,
            bytes = report.Bytes,
            elapsedSeconds = Math.Round(report.Elapsed.TotalSeconds, 3),
            accounts = report.Accounts.Select(a => new
            {
                account = a.Account,
                fetched = a.Fetched,
                alreadyHad = a.AlreadyHad,
                failed = a.Failed,
                removed = a.Removed,
                bytes = a.Bytes,
                failures = a.Failures,
                warnings = a.Warnings,
                error = a.Error is null ? null : new { kind = a.Error.Kind.ToString(), message = a.Error.Message, fix = a.Error.Fix },
            }),
        };
        output.WriteLine(JsonSerializer.Serialize(json, JsonOutput.Options));
    }
}
