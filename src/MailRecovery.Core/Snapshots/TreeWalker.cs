namespace MailRecovery.Core.Snapshots;

/// <summary>
/// The entries of a directory tree, the directory itself first, each directory before what it holds, names in
/// ordinal order (so two snapshots of the same tree list alike). Links are reported, never followed.
/// </summary>
public static class TreeWalker
{
    /// <summary>One entry: its '/'-separated path relative to the root ("" for the root) and its lstat facts.</summary>
    public readonly record struct Item(string RelativePath, string FullPath, FileFacts Facts);

    /// <exception cref="IOException">The root is missing or not a directory, or a directory cannot be listed.</exception>
    public static IEnumerable<Item> Walk(string root)
    {
        FileFacts facts = UnixFiles.Lstat(root) ?? throw new IOException($"{root} does not exist");
        if (facts.Type != EntryType.Directory)
            throw new IOException($"{root} is not a directory (a link to one is not followed)");
        var pending = new Stack<Item>();
        pending.Push(new Item(string.Empty, root, facts));
        while (pending.TryPop(out Item item))
        {
            yield return item;
            if (item.Facts.Type != EntryType.Directory)
                continue;
            var children = new List<Item>();
            foreach (string child in Directory.EnumerateFileSystemEntries(item.FullPath))
            {
                // A file removed between the listing and the lstat is simply not there any more.
                if (UnixFiles.Lstat(child) is { } f)
                {
                    string name = Path.GetFileName(child);
                    children.Add(new Item(item.RelativePath.Length == 0 ? name : item.RelativePath + "/" + name, child, f));
                }
            }

            // Pushed in reverse, so they come out in ordinal order and depth-first.
            foreach (Item child in children.OrderByDescending(c => c.RelativePath, StringComparer.Ordinal))
                pending.Push(child);
        }
    }
}
