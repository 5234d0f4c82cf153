namespace MailRecovery.Core.Archive;

/// <summary>
/// A message written to tmp/, not yet durable nor visible in the Maildir or the index.
/// </summary>
/// <param name="TmpPath">Where the bytes are now.</param>
/// <param name="File">The unique base name it will have in cur/.</param>
public sealed record StagedMessage(string TmpPath, string File, string Sha256, long Size, DateTimeOffset ArchivedAt, MessageMetadata Metadata)
{
    /// <summary>
    /// The still-open file, not yet durable: <see cref="MaildirWriter.Publish"/> makes a whole batch durable at once
    /// (one syncfs or parallel fsyncs, off the network path) before any of it is renamed into cur/.
    /// </summary>
    internal FileStream? Unsynced { get; set; }

    /// <summary>See <see cref="MessageFingerprint"/>.</summary>
    public string? Fingerprint { get; init; }

    public ArchivedMessage ToArchived() => new(File, Sha256, Size, ArchivedAt, Metadata) { Fingerprint = Fingerprint };
}
