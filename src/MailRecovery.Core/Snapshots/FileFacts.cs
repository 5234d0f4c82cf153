namespace MailRecovery.Core.Snapshots;

/// <summary>What lstat says about one path.</summary>
/// <param name="Mode">The permission bits with set-user-ID, set-group-ID and sticky (07777).</param>
/// <param name="Modified">mtime, to 100 ns (what .NET can set back).</param>
/// <param name="Changed">ctime: moves with every write and chmod, so a change during a copy shows even when mtime was set back.</param>
public sealed record FileFacts(EntryType Type, uint Uid, uint Gid, int Mode, long Size, DateTimeOffset Modified, DateTimeOffset Changed)
{
    /// <summary>The file system it is on (st_dev): a directory on another one than its parent is a mount point.</summary>
    public ulong Device { get; init; }
}
