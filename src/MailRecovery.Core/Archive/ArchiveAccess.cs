namespace MailRecovery.Core.Archive;

public enum ArchiveAccess
{
    /// <summary>Reads only; takes no lock, so it works beside a running <c>watch</c>.</summary>
    ReadOnly,

    /// <summary>Takes the archive's exclusive lock; a second writer is refused.</summary>
    ReadWrite,
}
