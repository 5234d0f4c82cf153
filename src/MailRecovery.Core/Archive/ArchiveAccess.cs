namespace MailRecovery.Core.Archive;

public enum ArchiveAccess
{
    /// <summary>Reads only; takes no lock, so it works beside a running <c>watch</c>.</summary>
    ReadOnly,

    /// <summary>Takes the archive's exclusive lock; a second writer is refused.</summary>
    ReadWrite,

    /// <summary>
    /// <see cref="ReadWrite"/> for <c>archive reindex</c>: an index SQLite calls damaged (not a database, malformed)
    /// is moved aside (<c>index.sqlite.corrupt-TIMESTAMP</c>) and a new one created, for the rebuild to fill.
    /// </summary>
    Rebuild,
}
