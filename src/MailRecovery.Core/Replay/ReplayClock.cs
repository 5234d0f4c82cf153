namespace MailRecovery.Core.Replay;

/// <summary>Which time of a message a replay window selects on.</summary>
public enum ReplayClock
{
    /// <summary>The server receipt time recorded in the index (the default: what a restore loses is what arrived after the backup).</summary>
    Received,

    /// <summary>The sender's Date: header (what other tools use; a message sent yesterday and received today is "yesterday").</summary>
    Date,

    /// <summary>When MailRecovery archived it.</summary>
    Archived,
}
