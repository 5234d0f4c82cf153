using System.Globalization;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Replay;

/// <summary>
/// Turns a local time without offset into an instant in a zone, refusing the two cases where a wall-clock
/// time is not one instant: a time that occurs twice (autumn, clocks go back) and a time that never occurs
/// (spring, clocks jump forward). Guessing either way can move a replay window by an hour, which can miss
/// mail; the user says which instant they mean with an offset.
/// </summary>
internal static class LocalTimeResolver
{
    /// <exception cref="MailRecoveryException">A usage error naming both candidate instants, or the gap, and the fix.</exception>
    public static DateTimeOffset Resolve(DateTime local, TimeZoneInfo zone, string option, string text)
    {
        DateTime unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsAmbiguousTime(unspecified))
            throw Ambiguous(unspecified, zone, option, text);
        if (zone.IsInvalidTime(unspecified))
            throw Gap(unspecified, zone, option, text);
        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified));
    }

    private static MailRecoveryException Ambiguous(DateTime local, TimeZoneInfo zone, string option, string text)
    {
        // Earlier instant first: the larger offset (summer time) gives the earlier UTC instant.
        var candidates = zone.GetAmbiguousTimeOffsets(local)
            .Select(o => new DateTimeOffset(local, o))
            .OrderBy(t => t.UtcDateTime)
            .ToList();
        string first = Format(candidates[0]);
        string second = Format(candidates[^1]);
        return MailRecoveryException.Usage(
            $"{option} {text} occurs twice in {zone.Id} (the clocks go back at a daylight-saving change): {first} ({Utc(candidates[0])}) and {second} ({Utc(candidates[^1])}).",
            $"give the instant you mean with its offset, e.g. {option} {first} (the earlier) or {option} {second} (the later); for --since the earlier one misses nothing.");
    }

    private static MailRecoveryException Gap(DateTime local, TimeZoneInfo zone, string option, string text)
    {
        TimeSpan before = zone.GetUtcOffset(local.AddHours(-12));
        TimeSpan after = zone.GetUtcOffset(local.AddHours(12));

        // The jump happens at one UTC instant between these bounds: find it to the second.
        DateTime lo = DateTime.SpecifyKind(local - after - TimeSpan.FromHours(12), DateTimeKind.Utc);
        DateTime hi = DateTime.SpecifyKind(local - before + TimeSpan.FromHours(12), DateTimeKind.Utc);
        while (hi - lo > TimeSpan.FromSeconds(1))
        {
            DateTime mid = lo + ((hi - lo) / 2);
            if (zone.GetUtcOffset(mid) == before)
                lo = mid;
            else
                hi = mid;
        }

        DateTime jump = new(hi.Ticks - (hi.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var gapStart = new DateTimeOffset(DateTime.SpecifyKind(jump + before, DateTimeKind.Unspecified), before);
        var gapEnd = new DateTimeOffset(DateTime.SpecifyKind(jump + after, DateTimeKind.Unspecified), after);
        string local24 = local.ToString("HH:mm", CultureInfo.InvariantCulture);
        return MailRecoveryException.Usage(
            $"{option} {text} does not exist in {zone.Id}: the clocks jumped from {gapStart:HH:mm} to {gapEnd:HH:mm} local time at {Format(gapStart)} ({Utc(gapStart)}), so {local24} never happened that day.",
            $"give the time with an explicit offset, e.g. {option} {Format(gapStart)} (the moment of the jump), or a local time outside {gapStart:HH:mm}–{gapEnd:HH:mm}.");
    }

    private static string Format(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
