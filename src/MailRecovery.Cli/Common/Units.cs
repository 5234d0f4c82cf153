using System.Globalization;

namespace MailRecovery.Cli.Common;

internal static class Units
{
    public static string Megabytes(long bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MB");
}
