namespace MailRecovery.Core.Replay;

/// <summary>
/// The time window of a replay: the interval includes <see cref="Since"/> and excludes <see cref="Until"/>,
/// so consecutive windows never select a message twice.
/// </summary>
public sealed record ReplayWindow(DateTimeOffset Since, DateTimeOffset Until, ReplayClock Clock)
{
    /// <summary>With <c>--since-backup</c>: the file whose modification time set <see cref="Since"/>; null otherwise.</summary>
    public string? StartSetBy { get; init; }

    public bool Contains(DateTimeOffset time) => time >= Since && time < Until;
}
