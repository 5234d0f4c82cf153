namespace MailRecovery.Core.Archive;

/// <summary>Where an archived message's receipt time came from, best first.</summary>
public enum ReceivedTimeSource
{
    /// <summary>The date of the newest Received: header: the receiving server's own clock.</summary>
    ReceivedHeader,

    /// <summary>IMAP INTERNALDATE: the source server's receipt time.</summary>
    InternalDate,

    /// <summary>When MailRecovery fetched it: the last resort (POP3 and no parseable Received: header).</summary>
    FetchTime,
}
