namespace MailRecovery.Core.Fetch;

/// <summary>
/// The durable steps of a fetch, in order. Tests inject a crash after each one (the isync way) and prove the
/// next run ends where an uninterrupted run would.
/// </summary>
public enum FetchStep
{
    /// <summary>A message file is complete in tmp/ (it is fsynced with its batch, before any rename).</summary>
    Staged,

    /// <summary>A batch's files are renamed into cur/ and cur/ is fsynced.</summary>
    FilesDurable,

    /// <summary>A batch's index rows are committed.</summary>
    Indexed,

    /// <summary>A batch's messages are deleted on the server (before POP3's QUIT makes it final).</summary>
    Removed,
}
