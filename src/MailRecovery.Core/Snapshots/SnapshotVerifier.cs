namespace MailRecovery.Core.Snapshots;

/// <summary><c>snapshot verify</c>: the whole data file against the manifest, unpacking nothing.</summary>
public static class SnapshotVerifier
{
    /// <returns>The problems found; empty when the snapshot is sound.</returns>
    public static Task<List<string>> VerifyAsync(SnapshotStore store, SnapshotManifest manifest, SnapshotProgress? progress, CancellationToken ct) =>
        SnapshotReader.ReadAsync(store.PathOf(manifest.Id), manifest, null, progress, ct);
}
