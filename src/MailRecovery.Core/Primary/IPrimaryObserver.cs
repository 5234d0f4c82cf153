namespace MailRecovery.Core.Primary;

/// <summary>
/// Looks at the primary account without changing it. One session per look: <see cref="ListWaitingAsync"/>
/// connects, <see cref="FingerprintAsync"/> reads whole messages on the same session, disposing ends it.
/// </summary>
public interface IPrimaryObserver : IAsyncDisposable
{
    /// <summary>
    /// The messages the helpdesk has not taken yet; for each not in <paramref name="known"/>, its headers are read
    /// (never the body, never a flag changed).
    /// </summary>
    /// <exception cref="Errors.MailRecoveryException">Classified: unreachable server, refused login, missing mailbox.</exception>
    Task<IReadOnlyList<PrimaryListing>> ListWaitingAsync(IReadOnlySet<string> known, CancellationToken cancellationToken);

    /// <summary>
    /// The <see cref="Archive.MessageFingerprint"/> of a whole message, streamed (never held whole), read without
    /// setting \Seen; null when the message vanished or the protocol cannot read it without marking it.
    /// </summary>
    Task<string?> FingerprintAsync(string serverId, CancellationToken cancellationToken);
}
