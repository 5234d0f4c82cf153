namespace MailRecovery.Core.Snapshots;

/// <summary>What <c>snapshot check</c> found in the live directories, and with --fix what it set back.</summary>
/// <param name="Found">Every difference found before fixing.</param>
/// <param name="Remaining">What is still different afterwards (equal to <see cref="Found"/> without --fix).</param>
public sealed record SnapshotCheckReport(SnapshotManifest Manifest, IReadOnlyList<CheckFinding> Found, IReadOnlyList<CheckFinding> Remaining, bool Fixed)
{
    public bool IsClean => Remaining.Count == 0;
}
