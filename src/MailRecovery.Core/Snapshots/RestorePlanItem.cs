namespace MailRecovery.Core.Snapshots;

/// <summary>What restore does to one data directory.</summary>
/// <param name="LiveExists">False when the directory is gone (a lost disk): nothing is moved aside.</param>
/// <param name="LiveFiles">Files now in the live directory (and bytes), shown by the dry run.</param>
/// <param name="MovedTo">Where the live directory goes (<c>DIR.before-restore-TIMESTAMP</c>); null with --discard-current or when there is none.</param>
public sealed record RestorePlanItem(SnapshotDirectory Directory, bool LiveExists, long LiveFiles, long LiveBytes, long SnapshotFiles, long SnapshotBytes, string? MovedTo);
