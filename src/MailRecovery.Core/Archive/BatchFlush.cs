using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>Chooses how a batch is made durable on the file system that holds the archive.</summary>
internal static class BatchFlush
{
    /// <summary>
    /// Local file systems whose syncfs(2) writes back and waits for all their files and then flushes the device
    /// (their <c>sync_fs</c> commits the journal or issues the cache flush): ext2/3/4, XFS, Btrfs. Anything else keeps
    /// per-file fsync: FUSE passes syncfs to user space only for virtiofs, so a FUSE file system (such as the
    /// power-cut tests' strictfs) would never see the flush; NFS and unknown ones are not trusted either.
    /// </summary>
    private static readonly HashSet<long> SyncFsTrusted =
    [
        0xEF53,     // EXT2/3/4_SUPER_MAGIC
        0x58465342, // XFS_SUPER_MAGIC
        0x9123683E, // BTRFS_SUPER_MAGIC
    ];

    /// <summary>syncfs for a trusted file system on a kernel whose syncfs reports errors; per-file fsync otherwise.</summary>
    public static IBatchFlush For(string directory) => ForType(FileSystemSync.TypeOf(directory), FileSystemSync.ReportsErrors);

    /// <summary><see cref="For"/> by file system type (null: unknown) and kernel support; pure.</summary>
    public static IBatchFlush ForType(long? fileSystemType, bool syncFsReportsErrors) =>
        syncFsReportsErrors && fileSystemType is { } type && SyncFsTrusted.Contains(type) ? new FileSystemFlush() : new PerFileFlush();
}
