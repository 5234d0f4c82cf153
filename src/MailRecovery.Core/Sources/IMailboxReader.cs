namespace MailRecovery.Core.Sources;

/// <summary>
/// One open mailbox of a source account (POP3 has exactly one, named "").
/// </summary>
public interface IMailboxReader
{
    /// <summary>The mailbox name ("INBOX"), or "" for POP3.</summary>
    string Mailbox { get; }

    /// <summary>IMAP UIDVALIDITY (RFC 9051 §2.3.1.1); 0 for POP3.</summary>
    uint UidValidity { get; }

    /// <summary>False for a POP3 server without UIDL: messages are then recognised by a content hash.</summary>
    bool HasStableIds { get; }

    /// <summary>
    /// Lists every message currently in the mailbox, oldest first, as cheaply as the protocol allows
    /// (IMAP: UID SEARCH, so <see cref="ServerMessage.Size"/> is -1 until described; POP3: UIDL and LIST).
    /// </summary>
    Task<IReadOnlyList<ServerMessage>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Fills in size and receipt time (and the Message-ID when <paramref name="withMessageId"/>) for the given
    /// messages, in batches, without downloading bodies.
    /// </summary>
    Task<IReadOnlyList<ServerMessage>> DescribeAsync(IReadOnlyList<ServerMessage> messages, bool withMessageId, CancellationToken cancellationToken);

    /// <summary>
    /// Downloads <paramref name="messages"/> in as few round trips as the protocol allows and hands each one to
    /// <paramref name="sink"/>, in any order. Memory stays bounded by the chunk size, whatever the message size.
    /// </summary>
    Task DownloadAsync(IReadOnlyList<ServerMessage> messages, MessageSink sink, CancellationToken cancellationToken);

    /// <summary>
    /// Which of <paramref name="messages"/> the mailbox still holds (their <see cref="ServerMessage.ServerId"/>s):
    /// asked after a download came back empty, short or not at all, to tell a message another session expunged
    /// meanwhile (vanished) from a server that failed to send one. The default, right for POP3, is all of them:
    /// a POP3 session's maildrop does not change under it (RFC 1939 §8).
    /// </summary>
    Task<IReadOnlySet<string>> StillThereAsync(IReadOnlyList<ServerMessage> messages, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<string>>(messages.Select(m => m.ServerId).ToHashSet(StringComparer.Ordinal));

    /// <summary>
    /// Deletes the messages from the server. The caller guarantees they are durably archived. For POP3 the
    /// deletion takes effect at <see cref="IMessageSource.CommitAsync"/> (RFC 1939 §6: the UPDATE state).
    /// </summary>
    Task RemoveAsync(IReadOnlyList<ServerMessage> messages, CancellationToken cancellationToken);
}
