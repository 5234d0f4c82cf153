namespace MailRecovery.Core.Snapshots;

/// <summary>
/// manifest.json beside the tar: what a snapshot holds, written after the tar and verified against it before the
/// snapshot is called complete.
/// </summary>
/// <param name="StartedUtc">The moment the copy started (after <c>--before</c>): mail the helpdesk pulled after it is not in the snapshot; <c>replay --pulled-after snapshot:ID</c> means this moment.</param>
/// <param name="DataFile">"data.tar" or "data.tar.gz".</param>
/// <param name="DataSha256">SHA-256 of the data file as stored (compressed or not): any changed byte shows.</param>
/// <param name="Warnings">Files that changed while they were read, and entries that were not copied.</param>
public sealed record SnapshotManifest(
    int Format,
    string Id,
    DateTimeOffset StartedUtc,
    DateTimeOffset FinishedUtc,
    string DataFile,
    long DataSize,
    string DataSha256,
    IReadOnlyList<SnapshotDirectory> Dirs,
    IReadOnlyList<ManifestEntry> Entries,
    IReadOnlyList<string> Warnings)
{
    public const int CurrentFormat = 1;

    public const string FileName = "manifest.json";

    public long FileCount => Entries.Count(e => e.Type == EntryType.File);

    public long Bytes => Entries.Sum(e => e.Size);
}
