namespace MailRecovery.Core.Fetch;

/// <summary>Hears about a pass as it goes (progress bars, plain lines). Called on the fetching task.</summary>
public interface IFetchObserver
{
    /// <summary>A mailbox has <paramref name="messages"/> messages (<paramref name="bytes"/> bytes) to download.</summary>
    void MailboxStarted(string account, string mailbox, int messages, long bytes);

    /// <summary>One message was handled: stored (<paramref name="fresh"/>) or recognised as already archived.</summary>
    void MessageDone(string account, long bytes, bool fresh);
}
