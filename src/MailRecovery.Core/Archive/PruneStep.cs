namespace MailRecovery.Core.Archive;

/// <summary>The points of <see cref="ArchivePruner.PruneAsync"/> after which a crash is possible (and tested).</summary>
public enum PruneStep
{
    /// <summary>The rows are tombstones (one transaction); every file is still there.</summary>
    RowsCommitted,

    /// <summary>One file was unlinked (reported once per file).</summary>
    FileRemoved,

    /// <summary>Every file is unlinked and the directories synced; the <c>cur/</c> stamp is not yet committed.</summary>
    FilesDurable,
}
