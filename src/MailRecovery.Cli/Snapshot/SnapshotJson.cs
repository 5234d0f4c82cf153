using MailRecovery.Core.Snapshots;

namespace MailRecovery.Cli.Snapshot;

/// <summary>The --json reports of the snapshot verbs. <c>create</c>'s <c>id</c> and <c>startedUtc</c> are a scripting contract.</summary>
internal static class SnapshotJson
{
    internal sealed record Create(bool Ok, int ExitCode, string Id, DateTimeOffset StartedUtc, DateTimeOffset FinishedUtc, string Path, IReadOnlyList<string> Directories, long Files, long Bytes, long DataSize, IReadOnlyList<string> Warnings, IReadOnlyList<string> Removed);

    internal sealed record List(bool Ok, int ExitCode, string Store, IReadOnlyList<Item> Snapshots);

    /// <param name="State">complete, damaged or partial.</param>
    internal sealed record Item(string Id, string State, DateTimeOffset? StartedUtc, DateTimeOffset? FinishedUtc, long DataSize, long Files, long Bytes, IReadOnlyList<string> Directories, string? Problem);

    internal sealed record Verify(bool Ok, int ExitCode, string Id, DateTimeOffset StartedUtc, long Files, long DataSize, IReadOnlyList<string> Problems);

    /// <param name="Next">The replay command that brings back what the helpdesk pulled after the snapshot.</param>
    internal sealed record Restore(bool Ok, int ExitCode, string Id, DateTimeOffset StartedUtc, bool DryRun, IReadOnlyList<RestoredDirectory> Directories, string Next);

    internal sealed record RestoredDirectory(string Path, bool LiveExists, long LiveFiles, long LiveBytes, long SnapshotFiles, long SnapshotBytes, string? MovedTo, bool Discarded);

    internal sealed record Check(bool Ok, int ExitCode, string Id, bool Fixed, IReadOnlyList<CheckFinding> Found, IReadOnlyList<CheckFinding> Remaining);

    public static Item ItemOf(SnapshotInfo s) => new(
        s.Id,
        s.State.ToString().ToLowerInvariant(),
        s.Manifest?.StartedUtc,
        s.Manifest?.FinishedUtc,
        s.DataSize,
        s.Manifest?.FileCount ?? 0,
        s.Manifest?.Bytes ?? 0,
        s.Manifest?.Dirs.Select(d => d.Path).ToList() ?? [],
        s.Problem);
}
