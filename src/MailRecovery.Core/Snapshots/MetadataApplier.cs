namespace MailRecovery.Core.Snapshots;

/// <summary>
/// Sets owner, group, mode and mtime from the manifest: the vendor's chown/chmod step. Owner and group go by the
/// numeric ids the manifest recorded (what the file system stores; the names are for people).
/// </summary>
internal static class MetadataApplier
{
    /// <summary>Applies every entry of one data directory under <paramref name="root"/>.</summary>
    public static void ApplyAll(string root, IEnumerable<ManifestEntry> entries, CancellationToken ct)
    {
        var directories = new List<(string Path, ManifestEntry Entry)>();
        foreach (ManifestEntry e in entries)
        {
            ct.ThrowIfCancellationRequested();
            string path = PathOf(root, e);
            ApplyOwnerAndMode(path, e);
            if (e.Type == EntryType.File)
                File.SetLastWriteTimeUtc(path, e.Mtime.UtcDateTime);
            else if (e.Type == EntryType.Directory)
                directories.Add((path, e));
        }

        // Order is important: a directory's mtime moves whenever an entry is created in it, so directories come
        // last, deepest first (a parent's time is set after its children are done).
        foreach ((string path, ManifestEntry e) in directories.OrderByDescending(d => d.Entry.Path.Count(c => c == '/') + (d.Entry.Path.Length > 0 ? 1 : 0)))
            Directory.SetLastWriteTimeUtc(path, e.Mtime.UtcDateTime);
    }

    /// <summary>chown before chmod: chown(2) clears the set-user-ID and set-group-ID bits. Links keep their mode (Linux has none to set).</summary>
    public static void ApplyOwnerAndMode(string path, ManifestEntry e)
    {
        UnixFiles.Lchown(path, e.Uid, e.Gid);
        if (e.Type != EntryType.Symlink)
            File.SetUnixFileMode(path, e.UnixMode);
    }

    public static string PathOf(string root, ManifestEntry e) => e.Path.Length == 0 ? root : Path.Combine([root, .. e.Path.Split('/')]);
}
