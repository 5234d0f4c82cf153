using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// <c>snapshot check</c>: the vendor's "check that every file has the owner and permissions it had" step, for
/// live directories restored by other means (a copy from removable media leaves root:root and 0777/0666), and with
/// <c>fix</c> its chown/chmod step. Only entries present in both get owner, group and mode set back; missing and
/// extra files are reported, never created or removed.
/// </summary>
public static class SnapshotCheckRun
{
    /// <exception cref="MailRecoveryException">Usage: no such snapshot, or a directory that is not in it.</exception>
    public static SnapshotCheckReport Run(SnapshotStore store, string id, IReadOnlyList<string> dataDirs, bool content, bool fix, CancellationToken ct)
    {
        SnapshotManifest manifest = store.Load(id);
        var found = new List<CheckFinding>();
        var remaining = new List<CheckFinding>();
        foreach (SnapshotDirectory dir in SnapshotRestoreRun.Select(manifest, dataDirs))
        {
            if (UnixFiles.Lstat(dir.Path) is not { Type: EntryType.Directory })
                throw MailRecoveryException.Usage($"{dir.Path} is not a directory.", $"restore it first: mailrecovery snapshot restore {id} --store {store.Path} --data {dir.Path}");
            List<CheckFinding> findings = TreeComparer.Compare(dir.Path, dir, manifest.Entries, content);
            found.AddRange(findings);
            if (!fix)
                continue;
            var byPath = manifest.Entries.Where(e => e.Dir == dir.Label).ToDictionary(e => e.TarName.TrimEnd('/'), StringComparer.Ordinal);
            foreach (string path in findings.Where(f => f.Fixable).Select(f => f.Path.TrimEnd('/')).Distinct(StringComparer.Ordinal))
            {
                ct.ThrowIfCancellationRequested();
                ManifestEntry e = byPath[path];
                MetadataApplier.ApplyOwnerAndMode(MetadataApplier.PathOf(dir.Path, e), e);
            }

            remaining.AddRange(TreeComparer.Compare(dir.Path, dir, manifest.Entries, content));
        }

        return new SnapshotCheckReport(manifest, found, fix ? remaining : found, fix);
    }
}
