using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Replay;

/// <summary>
/// What a replay would do, shown by <c>--dry-run</c> and before the confirmation prompt: how many messages,
/// how large, the first and the last, and a per-day histogram in the user's time zone.
/// </summary>
public sealed record ReplayPlan(ReplayWindow Window, TimeZoneInfo TimeZone, IReadOnlyList<ArchivedMessage> Messages)
{
    public long TotalBytes => Messages.Sum(m => m.Size);

    public ArchivedMessage? First => Messages.Count == 0 ? null : Messages[0];

    public ArchivedMessage? Last => Messages.Count == 0 ? null : Messages[^1];

    /// <summary>The time of a message on the window's clock.</summary>
    public DateTimeOffset TimeOf(ArchivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Window.Clock switch
        {
            ReplayClock.Date => message.Metadata.Date ?? message.Metadata.ReceivedAt,
            ReplayClock.Archived => message.ArchivedAt,
            _ => message.Metadata.ReceivedAt,
        };
    }

    /// <summary>Messages per local calendar day, in order.</summary>
    public IReadOnlyList<(DateOnly Day, int Count)> PerDay() =>
        Messages.GroupBy(m => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(TimeOf(m), TimeZone).DateTime))
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Count()))
            .ToList();
}
