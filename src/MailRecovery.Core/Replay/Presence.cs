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
}
