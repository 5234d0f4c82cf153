namespace MailRecovery.Core.Snapshots;

/// <summary>What <c>snapshot list</c> says of a snapshot without reading its data (<c>snapshot verify</c> reads it).</summary>
public enum SnapshotState
{
    /// <summary>Verified when it was written; the data file has the size the manifest records.</summary>
    Complete,

    /// <summary>The manifest is unreadable or the data file is missing or has another size.</summary>
    Damaged,

    /// <summary>A create that did not finish (interrupted, or refused); never restored from, removed by the next --keep.</summary>
    Partial,
}
