namespace MailRecovery.Core.Sources;

public enum ServerPolicyMode
{
    /// <summary>Change nothing on the server: no \Seen flag, POP3 messages left in place.</summary>
    Keep,

    /// <summary>Delete each message from the server once it is durably archived.</summary>
    Delete,

    /// <summary>Delete archived messages received more than N days ago.</summary>
    DeleteOlderThan,
}
