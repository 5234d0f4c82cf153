using System.Globalization;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Replay;

/// <summary>
/// Reads the times of a replay window as people write them in an incident: ISO 8601 with an offset
/// (<c>2026-11-26T02:00:00+09:00</c>, <c>…Z</c>), or a local time without one (<c>2026-11-26 02:00</c>), which
/// is read in the given time zone (refused when it occurs twice or never there, see <see cref="LocalTimeResolver"/>). Also finds when a backup was taken from the files it contains.
/// </summary>
public static class ReplayTime
{
    private static readonly string[] LocalFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
    ];

    /// <summary>The time zone named by an IANA id (Asia/Tokyo), or the machine's when null.</summary>
    public static TimeZoneInfo Zone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
            return TimeZoneInfo.Local;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw MailRecoveryException.Usage($"--tz {id} is not a known time zone.", "use an IANA name such as Asia/Tokyo, Europe/Berlin or UTC.");
        }
    }

    /// <summary>As <see cref="Parse(string, TimeZoneInfo, string)"/>, and <c>snapshot:ID</c>: the moment that snapshot's copy started (<see cref="Snapshots.SnapshotMoment"/>).</summary>
    /// <exception cref="MailRecoveryException">The text is not a time, or names no complete snapshot in <paramref name="snapshotStore"/>.</exception>
    public static DateTimeOffset Parse(string text, TimeZoneInfo zone, string option, string? snapshotStore) =>
        Snapshots.SnapshotMoment.Names(text) ? Snapshots.SnapshotMoment.Resolve(text, snapshotStore, option) : Parse(text, zone, option);

    /// <exception cref="MailRecoveryException">The text is not a time; the message shows the accepted forms.</exception>
    public static DateTimeOffset Parse(string text, TimeZoneInfo zone, string option)
    {
        ArgumentNullException.ThrowIfNull(zone);
        string t = text.Trim();
        bool hasOffset = t.EndsWith('Z') || t.EndsWith('z') || HasNumericOffset(t);
        if (hasOffset && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset withOffset))
            return withOffset;
        if (!hasOffset && DateTime.TryParseExact(t, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime local))
            return LocalTimeResolver.Resolve(local, zone, option, text);

        throw MailRecoveryException.Usage($"{option} {text} is not a time.", "write 2026-11-26T02:00:00+09:00, 2026-11-26T02:00Z, or a local time like \"2026-11-26 02:00\" (read in --tz, default the machine's zone).");
    }

    /// <summary>The time a backup was taken (<see cref="BackupTimeReader"/>; a zip's times read in UTC).</summary>
    public static DateTimeOffset BackupTime(string path) => BackupTimeReader.Find(path, TimeZoneInfo.Utc).Time;

    private static bool HasNumericOffset(string t)
    {
        int tIndex = t.IndexOfAny(['T', ' ']);
        if (tIndex < 0)
            return false;
        string timePart = t[tIndex..];
        return timePart.Contains('+', StringComparison.Ordinal) || timePart.LastIndexOf('-') > 0;
    }
}
