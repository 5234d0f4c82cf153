namespace MailRecovery.Core.Errors;

/// <summary>What a failure spoils (the isync axis "message / mailbox / account").</summary>
public enum FailureScope
{
    /// <summary>One message; the others can go on.</summary>
    Message,

    /// <summary>One mailbox of an account.</summary>
    Mailbox,

    /// <summary>The whole account (connection, login, TLS).</summary>
    Account,

    /// <summary>The local archive; every account stops.</summary>
    Archive,

    /// <summary>The whole run (usage, configuration).</summary>
    Run,
}
