namespace MailRecovery.Core.Archive;

/// <summary>One message file of the archive, as the index catalogues it.</summary>
/// <param name="File">The unique base name of the file (see <see cref="MaildirFileName"/>).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the exact bytes.</param>
public sealed record ArchivedMessage(string File, string Sha256, long Size, DateTimeOffset ArchivedAt, MessageMetadata Metadata);
