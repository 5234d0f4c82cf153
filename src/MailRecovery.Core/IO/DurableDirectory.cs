namespace MailRecovery.Core.IO;

/// <summary>
/// Creates a directory so that it survives a power cut. mkdir(2) is like a rename: the new name is in its
/// parent's directory block, durable only once the parent is fsynced; and the files that are later fsynced
/// inside the new directory survive only if the directory itself does. A file system that keeps only what was
/// fsynced (the POSIX minimum, what LazyFS tests) loses an archive whose directories were never synced, with
/// every message in it, although each message file and each rename into cur/ was synced.
/// </summary>
public static class DurableDirectory
{
    /// <summary>
    /// Creates every missing level of <paramref name="path"/>, outermost first, each with
    /// <paramref name="mode"/>, and syncs each new directory and then its parent before the next level is made.
    /// Levels that exist already are left as they are (not synced).
    /// </summary>
    /// <returns>True when at least one level was created.</returns>
    /// <exception cref="IOException">A level cannot be created or synced.</exception>
    /// <exception cref="UnauthorizedAccessException">A level cannot be created.</exception>
    public static bool Create(string path, UnixFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(path);
        var missing = new Stack<string>();
        for (string? level = Path.GetFullPath(path); level is not null && !Directory.Exists(level); level = Path.GetDirectoryName(level))
            missing.Push(level);

        bool created = missing.Count > 0;
        while (missing.TryPop(out string? level))
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(level);
            else
                Directory.CreateDirectory(level, mode);

            // Order is important: the directory's own block first, then the entry that names it in its parent.
            DirectorySync.Sync(level);
            if (Path.GetDirectoryName(level) is { } parent)
                DirectorySync.Sync(parent);
        }

        return created;
    }

    /// <summary>
    /// Syncs the directory that holds a file just created: SQLite fsyncs a database file's content but not the
    /// name of a new database in its directory (it does so only for its journals), so without this a new index
    /// or replay journal can vanish in a power cut with every commit in it.
    /// </summary>
    /// <exception cref="IOException">The directory cannot be synced.</exception>
    public static void SyncParentOf(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } parent)
            DirectorySync.Sync(parent);
    }
}
