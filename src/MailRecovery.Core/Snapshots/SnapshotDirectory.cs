namespace MailRecovery.Core.Snapshots;

/// <summary>A data directory in a snapshot: its absolute path and the top-level name it has in the tar.</summary>
/// <param name="Label">The directory's own name, made unique with "-2", "-3" when two share one.</param>
public sealed record SnapshotDirectory(string Label, string Path);
