namespace MailRecovery.Core.Alerts;

/// <summary>
/// A condition one notifier was told about and not yet told has cleared: what the state file keeps, per
/// notifier, so that a restarted watch or the next <c>status --alert</c> neither re-sends nor forgets it.
/// </summary>
/// <param name="Reason">The reason last sent, repeated in the "cleared" alert.</param>
/// <param name="FirstSent">When the "started" alert was delivered.</param>
/// <param name="LastSent">When the last alert (started or reminder) was delivered; the next reminder is due a reminder interval later.</param>
public sealed record AlertedCondition(string Condition, string? Account, DateTimeOffset? Since, string Reason, DateTimeOffset FirstSent, DateTimeOffset LastSent)
{
    /// <summary>The condition's identity: its name and what it is about.</summary>
    public string Key => AlertEvaluator.Key(Condition, Account);
}
