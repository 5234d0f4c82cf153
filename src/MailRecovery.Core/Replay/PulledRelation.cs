namespace MailRecovery.Core.Replay;

/// <summary>Where a message's take by the helpdesk lies relative to the time T of <c>replay --pulled-after T</c>.</summary>
public enum PulledRelation
{
    /// <summary>Taken after T (the whole bracket is after T): lost by a restore of a backup made at T; replayed.</summary>
    After,

    /// <summary>The bracket contains T: taken before or after it, the ledger cannot tell. Replayed unless left out.</summary>
    Around,

    /// <summary>Taken at or before T: the backup holds it; not replayed.</summary>
    AtOrBefore,

    /// <summary>Still waiting in the helpdesk's account at the last look: the helpdesk will take it; not replayed.</summary>
    Waiting,

    /// <summary>Archived from an account whose helpdesk was never looked at: the ledger knows nothing; not replayed.</summary>
    Unobserved,
}
