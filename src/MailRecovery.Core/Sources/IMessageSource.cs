namespace MailRecovery.Core.Sources;

/// <summary>
/// A connected source account. Implementations: <see cref="Pop3Source"/>, <see cref="ImapSource"/>.
/// Implementers throw what MailKit throws; the fetch run classifies and retries.
/// </summary>
public interface IMessageSource : IAsyncDisposable
{
    SourceEndpoint Endpoint { get; }

    /// <summary>Connects, negotiates TLS as the endpoint demands, and logs in.</summary>
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Opens a mailbox. Read-only (IMAP EXAMINE) when <paramref name="writable"/> is false, so that reading
    /// cannot set \Seen or change anything else.
    /// </summary>
    Task<IMailboxReader> OpenMailboxAsync(string mailbox, bool writable, CancellationToken cancellationToken);

    /// <summary>Makes pending deletions final (POP3 QUIT) and disconnects cleanly.</summary>
    Task CommitAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts (or restarts) watching a mailbox on this connection, just before a pass on another connection:
    /// <see cref="WaitForNewMailAsync"/> then also reports mail that arrived from this moment on, while the pass
    /// ran. Returns false when the source cannot push (POP3, or no IDLE) and the caller should poll.
    /// </summary>
    Task<bool> StartWatchingAsync(string mailbox, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until the server reports new mail (IMAP IDLE) or <paramref name="maxWait"/> passes; returns at once
    /// when mail arrived since <see cref="StartWatchingAsync"/>.
    /// Returns false when the source cannot push (POP3, or no IDLE) and the caller should poll.
    /// </summary>
    Task<bool> WaitForNewMailAsync(string mailbox, TimeSpan maxWait, CancellationToken cancellationToken);
}
