using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Replay;

/// <summary>
/// What a replay would do, shown by <c>--dry-run</c> and before the confirmation prompt: how many messages,
/// how large, the first and the last, and a per-day histogram in the user's time zone. A full plan carries the
/// messages to deliver; a summary plan (<see cref="ReplaySelector.Summarize"/>, for a dry run) only what is shown,
/// so a month out of a million rows does not materialise 80,000 rows.
/// </summary>
public sealed record ReplayPlan
{
    private readonly IReadOnlyList<ArchivedMessage>? messages;
    private readonly IReadOnlyList<DateTimeOffset> times;

    public ReplayPlan(ReplayWindow Window, TimeZoneInfo TimeZone, IReadOnlyList<ArchivedMessage> Messages)
    {
        ArgumentNullException.ThrowIfNull(Messages);
        this.Window = Window;
        this.TimeZone = TimeZone;
        messages = Messages;
        Count = Messages.Count;
        TotalBytes = Messages.Sum(m => m.Size);
        First = Messages.Count == 0 ? null : Messages[0];
        Last = Messages.Count == 0 ? null : Messages[^1];
        times = Messages.Select(TimeOf).ToList();
    }

    private ReplayPlan(ReplayWindow window, TimeZoneInfo zone, int count, long bytes, ArchivedMessage? first, ArchivedMessage? last, IReadOnlyList<DateTimeOffset> times)
    {
        Window = window;
        TimeZone = zone;
        Count = count;
        TotalBytes = bytes;
        First = first;
        Last = last;
        this.times = times;
    }

    public ReplayWindow Window { get; }

    /// <summary>How <c>--pulled-after</c> chose the messages (the window is then [T, now) for display only), or null for a time window.</summary>
    public PulledAfterSelection? PulledAfter { get; init; }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>The messages to deliver, oldest first.</summary>
    /// <exception cref="InvalidOperationException">This is a summary plan (dry run), which has none.</exception>
    public IReadOnlyList<ArchivedMessage> Messages => messages ?? throw new InvalidOperationException("a summary plan (dry run) carries no messages");

    public int Count { get; }

    public long TotalBytes { get; }

    public ArchivedMessage? First { get; }

    public ArchivedMessage? Last { get; }

    /// <summary>The <c>--deliver-as</c> address the messages' Delivered-To is rewritten to, or null (shown in the plan).</summary>
    public string? DeliverAs { get; init; }

    internal static ReplayPlan Summary(ReplayWindow window, TimeZoneInfo zone, int count, long bytes, ArchivedMessage? first, ArchivedMessage? last, IReadOnlyList<DateTimeOffset> times) =>
        new(window, zone, count, bytes, first, last, times);

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
        times.GroupBy(t => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, TimeZone).DateTime))
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Count()))
            .ToList();
}
