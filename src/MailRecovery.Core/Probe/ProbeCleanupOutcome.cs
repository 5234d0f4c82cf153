namespace MailRecovery.Core.Probe;

/// <summary>
/// What became of one probe in the helpdesk's (primary) account, recorded per probe for <c>status</c>: how many
/// probes the helpdesk took before cleanup could, so that the schedule (or the helpdesk's filter) can be tuned.
/// Stored by its lower-case name.
/// </summary>
public enum ProbeCleanupOutcome
{
    /// <summary>Cleanup of the primary was off: the probe was left for the helpdesk.</summary>
    Left,

    /// <summary>Removed from the primary before the helpdesk took it.</summary>
    Removed,

    /// <summary>Marked \Deleted and \Seen before the helpdesk took it (IMAP server without UIDPLUS).</summary>
    MarkedDeleted,

    /// <summary>
    /// The helpdesk took it before cleanup could: it was gone from the primary when cleanup came, or already
    /// \Seen or \Deleted when it was found.
    /// </summary>
    TakenFirst,

    /// <summary>
    /// The copy got the probe but it was never seen in the primary within the timeout: either the helpdesk took it
    /// within a look's interval of its arrival, or the primary did not get it (the verdict says broken).
    /// </summary>
    NeverSeen,

    /// <summary>Seen in the primary, but removing it failed (connection lost, refused): it may become a ticket.</summary>
    Failed,
}
