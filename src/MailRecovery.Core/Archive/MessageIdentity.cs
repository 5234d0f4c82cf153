namespace MailRecovery.Core.Archive;

/// <summary>
/// Which message this is, for every comparison MailRecovery makes between two copies of mail: whether a target
/// already has a message (replay's presence checks), which archived message the helpdesk took (the primary
/// ledger), what the primary and the archive hold (alias audit), and which file a server message is after a
/// UIDVALIDITY change. Two copies are the same message when their fingerprints are equal
/// (<see cref="MessageFingerprint"/>: the bytes without the delivery trace on top). The Message-ID is kept
/// beside it because it can be read from the headers alone: where a Message-ID occurs once in the archive, a
/// server's header listing is enough to find the candidate, and only a shared or missing Message-ID needs the
/// whole message. Two different messages that share a Message-ID stay two messages: their fingerprints differ.
/// </summary>
/// <param name="MessageId">The Message-ID without angle brackets, or null when the message has none.</param>
/// <param name="Fingerprint">Lower-case hex SHA-256 of the message without its delivery trace.</param>
public sealed record MessageIdentity(string? MessageId, string Fingerprint)
{
    /// <summary>The identity of a message file.</summary>
    public static async Task<MessageIdentity> OfFileAsync(string path, string? messageId, CancellationToken cancellationToken) =>
        new(messageId, await MessageFingerprint.ComputeAsync(path, cancellationToken));

    /// <summary>True when both are the same message (the fingerprints are equal).</summary>
    public bool SameMessage(MessageIdentity other) =>
        other is not null && string.Equals(Fingerprint, other.Fingerprint, StringComparison.Ordinal);
}
