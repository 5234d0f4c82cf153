namespace MailRecovery.Core.Archive;

/// <summary>
/// A message written to tmp/ and fsynced, not yet visible in the Maildir or the index.
/// </summary>
/// <param name="TmpPath">Where the bytes are now.</param>
/// <param name="File">The unique base name it will have in cur/.</param>
public sealed record StagedMessage(string TmpPath, string File, string Sha256, long Size, DateTimeOffset ArchivedAt, MessageMetadata Metadata)
{
    public ArchivedMessage ToArchived() => new(File, Sha256, Size, ArchivedAt, Metadata);
}
