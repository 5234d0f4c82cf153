namespace MailRecovery.Core.Archive;

/// <summary>What <see cref="ArchiveVerifier"/> found. The archive is sound when <see cref="Problems"/> is empty.</summary>
public sealed record VerifyReport(int Checked, long Bytes, IReadOnlyList<ArchiveProblem> Problems)
{
    /// <summary>
    /// Files in the Maildir without a row while a writer (fetch, watch) holds the archive lock: its batches
    /// durable but not yet committed. Not problems; a verify without a writer running reports leftovers as
    /// <c>not-indexed</c>.
    /// </summary>
    public IReadOnlyList<string> InFlight { get; init; } = [];

    /// <summary>Files of a prune that was cut short after its commit: unlinked by the next writer's open. Not problems.</summary>
    public IReadOnlyList<string> PrunePending { get; init; } = [];

    public bool IsSound => Problems.Count == 0;
}
