using System.Globalization;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// Compares a live directory with a snapshot's entries for it: type, owner, group and mode always, missing and
/// extra entries, and with <c>content</c> also size and mtime (which the helpdesk changes by working, so they
/// are off by default in <c>check</c>; restore checks its staging directory with them on).
/// </summary>
internal static class TreeComparer
{
    public static List<CheckFinding> Compare(string root, SnapshotDirectory dir, IEnumerable<ManifestEntry> entries, bool content)
    {
        var findings = new List<CheckFinding>();
        var expected = entries.Where(e => e.Dir == dir.Label).ToDictionary(e => e.Path, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (TreeWalker.Item item in TreeWalker.Walk(root))
        {
            string shown = $"{dir.Label}/{item.RelativePath}";
            if (!expected.TryGetValue(item.RelativePath, out ManifestEntry? e))
            {
                findings.Add(new CheckFinding("extra", shown, "nothing", item.Facts.Type.ToString().ToLowerInvariant()));
                continue;
            }

            seen.Add(item.RelativePath);
            FileFacts f = item.Facts;
            if (f.Type != e.Type)
            {
                findings.Add(new CheckFinding("type", shown, e.Type.ToString().ToLowerInvariant(), f.Type.ToString().ToLowerInvariant()));
                continue;
            }

            if (f.Uid != e.Uid)
                findings.Add(new CheckFinding("owner", shown, Id(e.Uid, e.User), f.Uid.ToString(CultureInfo.InvariantCulture)));
            if (f.Gid != e.Gid)
                findings.Add(new CheckFinding("group", shown, Id(e.Gid, e.Group), f.Gid.ToString(CultureInfo.InvariantCulture)));
            if (e.Type != EntryType.Symlink && ManifestEntry.OctalMode(f.Mode) != e.Mode)
                findings.Add(new CheckFinding("mode", shown, e.Mode, ManifestEntry.OctalMode(f.Mode)));
            if (content && e.Type == EntryType.File && f.Size != e.Size)
                findings.Add(new CheckFinding("size", shown, e.Size.ToString(CultureInfo.InvariantCulture), f.Size.ToString(CultureInfo.InvariantCulture)));
            if (content && e.Type != EntryType.Symlink && f.Modified != e.Mtime)
                findings.Add(new CheckFinding("mtime", shown, e.Mtime.ToString("O", CultureInfo.InvariantCulture), f.Modified.ToString("O", CultureInfo.InvariantCulture)));
        }

        foreach (ManifestEntry e in expected.Values.Where(e => !seen.Contains(e.Path)).OrderBy(e => e.Path, StringComparer.Ordinal))
            findings.Add(new CheckFinding("missing", e.TarName, e.Type.ToString().ToLowerInvariant(), "nothing"));
        return findings;
    }

    private static string Id(uint id, string name) => name.Length > 0 ? $"{id} ({name})" : id.ToString(CultureInfo.InvariantCulture);
}
