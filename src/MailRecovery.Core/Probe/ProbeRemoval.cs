namespace MailRecovery.Core.Probe;

/// <summary>What removing a probe from one account did.</summary>
public enum ProbeRemoval
{
    /// <summary>Gone for good: IMAP <c>UID EXPUNGE</c> of its UID alone (RFC 4315), or POP3 <c>DELE</c> + <c>QUIT</c>.</summary>
    Removed,

    /// <summary>
    /// IMAP without UIDPLUS: marked \Deleted and \Seen, not expunged, because a plain EXPUNGE would also remove
    /// every other message someone marked \Deleted. A helpdesk that reads unseen mail skips it.
    /// </summary>
    MarkedDeleted,

    /// <summary>It was no longer there (the helpdesk took it first), or what was there was not this probe: nothing changed.</summary>
    Gone,
}
