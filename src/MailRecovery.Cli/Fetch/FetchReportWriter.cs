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
                $"{a.Account}: fetched {a.Fetched}, already had {a.AlreadyHad}, failed {a.Failed}, {Vanished(a.Vanished)}removed from server {a.Removed}, {Units.Megabytes(a.Bytes)}"));
            foreach (string warning in a.Warnings)
                output.WriteLine($"  warning: {warning}");
            foreach (string failure in a.Failures)
                output.WriteLine($"  failed: {failure}");
            if (a.Repaired > 0)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  repaired: {a.Repaired} missing or damaged archive file(s) downloaded again and put back"));
            foreach (Core.Archive.LostMessage lost in a.Lost)
                output.WriteLine($"  lost: {lost}");
            if (a.Error is not null)
                output.WriteLine($"  error: {a.Error.UserText}");
        }

        double seconds = report.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total: fetched {report.Fetched}, already had {report.AlreadyHad}, failed {report.Failed}, {Vanished(report.Vanished)}{Units.Megabytes(report.Bytes)} in {seconds:0.0} s"));
    }

    // Shown only when it happened: the common report keeps its shape.
    private static string Vanished(int count) => count == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"vanished before download {count}, ");

    public static void WriteJson(TextWriter output, FetchReport report)
    {
        var json = new FetchJson(
            Ok: report.ExitCode == 0,
            ExitCode: report.ExitCode,
            Fetched: report.Fetched,
            AlreadyHad: report.AlreadyHad,
            Failed: report.Failed,
            Vanished: report.Vanished,
            Bytes: report.Bytes,
            ElapsedSeconds: Math.Round(report.Elapsed.TotalSeconds, 3),
            Repaired: report.Repaired,
            Lost: report.Lost,
            Accounts: [.. report.Accounts.Select(a => new FetchJson.FetchAccountJson(
                a.Account, a.Fetched, a.AlreadyHad, a.Failed, a.Vanished, a.Removed, a.Bytes, a.Failures, a.Warnings, ErrorJson.Detail.Of(a.Error), a.Repaired, a.Lost))]);
        output.WriteLine(JsonOutput.Serialize(json));
    }
}
