namespace MailRecovery.Core.Snapshots;

/// <summary>What <c>snapshot restore</c> did, or with --dry-run would do.</summary>
public sealed record SnapshotRestoreReport(SnapshotManifest Manifest, IReadOnlyList<RestorePlanItem> Items, bool DryRun, bool Discarded);
