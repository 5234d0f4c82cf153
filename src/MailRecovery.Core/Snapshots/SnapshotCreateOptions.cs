namespace MailRecovery.Core.Snapshots;

/// <summary>What <c>snapshot create</c> does.</summary>
public sealed class SnapshotCreateOptions
{
    /// <summary>The data directories, absolute; at least one.</summary>
    public required IReadOnlyList<string> DataDirectories { get; init; }

    /// <summary>Run before the copy (maintenance mode on); null: none.</summary>
    public string? Before { get; init; }

    /// <summary>Run after the copy, always, also when the copy or <see cref="Before"/> failed; null: none.</summary>
    public string? After { get; init; }

    /// <summary>How long each of <see cref="Before"/> and <see cref="After"/> may run. <value>The default is 5 minutes.</value></summary>
    public TimeSpan HookTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Keep this many complete snapshots (the new one included); 0: keep all. <value>The default is 0.</value></summary>
    public int Keep { get; init; }

    /// <summary>gzip the tar. <value>The default is false: a plain tar is fastest and read by every tool.</value></summary>
    public bool Compress { get; init; }
}
