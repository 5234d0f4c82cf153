namespace MailRecovery.Core.Snapshots;

/// <summary>How far a copy, verify or restore has come: entries and bytes so far. Called every few thousand entries or 64 MiB.</summary>
public delegate void SnapshotProgress(long entries, long bytes);
