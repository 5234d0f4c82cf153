namespace MailRecovery.Core.Archive;

/// <summary>One message file of the archive, as the index catalogues it.</summary>
/// <param name="File">The unique base name of the file (see <see cref="MaildirFileName"/>).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the exact bytes.</param>
public sealed record ArchivedMessage(string File, string Sha256, long Size, DateTimeOffset ArchivedAt, MessageMetadata Metadata)
{
    /// <summary>The content half of the message's <see cref="MessageIdentity"/>; null for a row of an upgraded index not yet filled in.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>The identity, when the fingerprint is known.</summary>
    public MessageIdentity? Identity => Fingerprint is null ? null : new MessageIdentity(Metadata.MessageId, Fingerprint);
}
