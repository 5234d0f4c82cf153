namespace MailRecovery.Core.Snapshots;

/// <summary>One line of <c>snapshot list</c>.</summary>
/// <param name="Manifest">Null when <see cref="State"/> is not <see cref="SnapshotState.Complete"/> and the manifest could not be read.</param>
/// <param name="Problem">Why the state is not complete; null when it is.</param>
public sealed record SnapshotInfo(string Id, string Path, SnapshotState State, long DataSize, SnapshotManifest? Manifest, string? Problem);
