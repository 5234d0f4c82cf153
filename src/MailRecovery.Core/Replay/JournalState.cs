namespace MailRecovery.Core.Replay;

/// <summary>Where a message stands with one target, as the replay journal records it.</summary>
public enum JournalState
{
    /// <summary>About to be handed to the target; if a run finds this, the outcome was lost.</summary>
    Intent,

    /// <summary>The target accepted it in this or an earlier run.</summary>
    Delivered,

    /// <summary>The target already had it; nothing was sent.</summary>
    Present,

    /// <summary>Handed over, outcome unknown; not re-sent unless asked (--resend-uncertain).</summary>
    Uncertain,

    /// <summary>The target refused it for good; the next run tries again.</summary>
    Failed,

    /// <summary>The target said "later"; the next run tries again.</summary>
    TryLater,
}
