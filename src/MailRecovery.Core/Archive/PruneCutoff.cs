using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Where <c>archive prune --older-than DAYS</c> cuts: midnight UTC of the day DAYS days ago. A whole day, not
/// "now minus DAYS", so that a dry run and the prune that follows it on the same day select the same messages
/// (unless a fetch archives mail older than the cut in between).
/// </summary>
public static class PruneCutoff
{
    /// <summary>The default of <c>prune:minimumDays</c>: nothing received in the last 30 days is ever pruned.</summary>
    public const int DefaultMinimumDays = 30;

    /// <exception cref="MailRecoveryException">A usage error when <paramref name="days"/> is below <paramref name="minimumDays"/>.</exception>
    public static DateTimeOffset For(DateTimeOffset now, int days, int minimumDays)
    {
        if (days < minimumDays)
        {
            throw MailRecoveryException.Usage(
                $"--older-than {days} would prune messages younger than the minimum of {minimumDays} days (configuration key prune.minimumDays). Nothing was changed.",
                $"use --older-than {minimumDays} or more; if younger mail really must go, lower \"prune\": {{ \"minimumDays\": N }} in the configuration first.");
        }

        DateTimeOffset day = now.ToUniversalTime().AddDays(-days);
        return new DateTimeOffset(day.Year, day.Month, day.Day, 0, 0, 0, TimeSpan.Zero);
    }
}
