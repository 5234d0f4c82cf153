using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace MailRecovery.Cli.Common;

/// <summary>
/// Logs go to standard error, one line each, so standard output stays for progress, reports and JSON.
/// Nothing MailRecovery logs contains a password: credentials are read where they are used and never formatted.
/// </summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(LogLevel minimum, bool timestamps) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(minimum)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = false;
                o.TimestampFormat = timestamps ? "yyyy-MM-dd'T'HH:mm:ssK " : null;
                o.UseUtcTimestamp = false;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            })
            .AddFilter("Microsoft", LogLevel.Warning));
}
