namespace MailRecovery.Core.Replay;

/// <summary>
/// The time window of a replay: the interval includes <see cref="Since"/> and excludes <see cref="Until"/>,
/// so consecutive windows never select a message twice.
/// </summary>
public sealed record ReplayWindow(DateTimeOffset Since, DateTimeOffset Until, ReplayClock Clock)
{
    public bool Contains(DateTimeOffset time) => time >= Since && time < Until;
}
