using System.Globalization;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Replay;

/// <summary>
/// Reads the times of a replay window as people write them in an incident: ISO 8601 with an offset
/// (<c>2026-11-26T02:00:00+09:00</c>, <c>…Z</c>), or a local time without one (<c>2026-11-26 02:00</c>), which
/// is read in the given time zone. Also finds when a backup was taken from the files it contains.
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

    /// <exception cref="MailRecoveryException">The text is not a time; the message shows the accepted forms.</exception>
    public static DateTimeOffset Parse(string text, TimeZoneInfo zone, string option)
    {
        ArgumentNullException.ThrowIfNull(zone);
        string t = text.Trim();
        bool hasOffset = t.EndsWith('Z') || t.EndsWith('z') || HasNumericOffset(t);
        if (hasOffset && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset withOffset))
            return withOffset;
        if (!hasOffset && DateTime.TryParseExact(t, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime local))
        {
            DateTime unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
            if (zone.IsInvalidTime(unspecified))
                throw MailRecoveryException.Usage($"{option} {text} does not exist in {zone.Id} (a daylight-saving gap).", "give the time with an explicit offset.");
            return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified));
        }

        throw MailRecoveryException.Usage($"{option} {text} is not a time.", "write 2026-11-26T02:00:00+09:00, 2026-11-26T02:00Z, or a local time like \"2026-11-26 02:00\" (read in --tz, default the machine's zone).");
    }

    /// <summary>
    /// The time a backup was taken: the newest modification time of any file under <paramref name="path"/>
    /// (the backup of the helpdesk's data tells when it was made; a restore keeps those times), rounded down to
    /// the whole second.
    /// </summary>
    public static DateTimeOffset BackupTime(string path)
    {
        if (File.Exists(path))
            return FloorToSecond(new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero));
        if (!Directory.Exists(path))
            throw MailRecoveryException.Usage($"--since-backup {path} does not exist.", "give the restored data directory (or a file of the backup).");
        DateTime newest = DateTime.MinValue;
        foreach (string file in Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            DateTime m = File.GetLastWriteTimeUtc(file);
            if (m > newest)
                newest = m;
        }

        if (newest == DateTime.MinValue)
            throw MailRecoveryException.Usage($"--since-backup {path} contains no files.", "give the directory the backup was restored into.");
        return FloorToSecond(new DateTimeOffset(newest, TimeSpan.Zero));
    }

    /// <summary>
    /// Receipt times come from Received: headers, which have whole seconds; a file time has nanoseconds. A
    /// message received in the backup's own second must not fall before the window, so the window starts at the
    /// whole second: at worst a message of that second is offered to the target twice, never lost.
    /// </summary>
    private static DateTimeOffset FloorToSecond(DateTimeOffset t) => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond));

    private static bool HasNumericOffset(string t)
    {
        int tIndex = t.IndexOfAny(['T', ' ']);
        if (tIndex < 0)
            return false;
        string timePart = t[tIndex..];
        return timePart.Contains('+', StringComparison.Ordinal) || timePart.LastIndexOf('-') > 0;
    }
}
