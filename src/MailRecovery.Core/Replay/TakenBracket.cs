using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Replay;

/// <summary>
/// When the helpdesk took a message: some time in (<see cref="Start"/>, <see cref="End"/>] (start excluded, end
/// included). For a message seen waiting: from the last look that saw it to the first that did not. For one never
/// seen waiting (arrived and taken between two looks): from its receipt to the first look after it. <see cref="End"/>
/// is null when no look was made since (received after the last look): open-ended. Pure, so it is unit-tested.
/// </summary>
public readonly record struct TakenBracket(DateTimeOffset Start, DateTimeOffset? End)
{
    /// <summary>The bracket of a message, or null when it was never taken (waiting) or never observed.</summary>
    public static TakenBracket? Of(DateTimeOffset received, LedgerFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (!facts.Observed || facts.Waiting > 0)
            return null;
        if (facts.Taken is DateTimeOffset taken)
            return new TakenBracket(facts.LastSeen ?? received, taken);
        return new TakenBracket(received, facts.NextLook);
    }

    /// <summary>
    /// Entirely after <paramref name="t"/> (<see cref="Start"/> ≥ T: taken strictly after a time at or after T),
    /// entirely at or before it (<see cref="End"/> ≤ T), or around it. An open bracket that starts before T is
    /// around T: the message may have been taken before T, after it, or not yet.
    /// </summary>
    public PulledRelation RelativeTo(DateTimeOffset t) =>
        Start >= t ? PulledRelation.After
        : End is DateTimeOffset end && end <= t ? PulledRelation.AtOrBefore
        : PulledRelation.Around;

    /// <summary>Where the message's take lies relative to <paramref name="t"/>.</summary>
    public static PulledRelation Classify(DateTimeOffset received, LedgerFacts facts, DateTimeOffset t)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (!facts.Observed)
            return PulledRelation.Unobserved;
        return Of(received, facts) is TakenBracket b ? b.RelativeTo(t) : PulledRelation.Waiting;
    }
}
