namespace MailRecovery.Core.Replay;

/// <summary>What a target can tell about a message whose earlier delivery has no recorded outcome.</summary>
public enum Presence
{
    /// <summary>The message is in the target: the earlier delivery went through.</summary>
    Present,

    /// <summary>The message is not in the target (or the target rolled the partial delivery back): safe to deliver.</summary>
    Absent,

    /// <summary>The target cannot tell (SMTP, LMTP, pipe): re-sending might duplicate it.</summary>
    Unknown,

    /// <summary>
    /// A copy is in the target, but its reader has taken it (IMAP: flagged <c>\Seen</c> or <c>\Deleted</c>), and
    /// nothing says this replay put it there. For a helpdesk that keeps its mail on the server and reads only
    /// unseen messages, that copy became a ticket the restore lost: the run offers the copy again
    /// (<see cref="IReplayTarget.OfferAgainAsync"/>) instead of delivering a second one.
    /// </summary>
    Taken,
}
