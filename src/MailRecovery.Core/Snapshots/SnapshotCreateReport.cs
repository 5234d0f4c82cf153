namespace MailRecovery.Core.Snapshots;

/// <summary>What <c>snapshot create</c> made.</summary>
/// <param name="Removed">Ids of older snapshots removed by --keep.</param>
public sealed record SnapshotCreateReport(SnapshotManifest Manifest, string Path, IReadOnlyList<string> Removed);
