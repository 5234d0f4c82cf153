namespace MailRecovery.Core.Archive;

/// <summary>What <see cref="ArchiveCopier"/> copied.</summary>
/// <param name="TakenAt">The moment of the index snapshot: the copy holds what was committed then.</param>
/// <param name="Messages">Message files in the copy (hard-linked plus copied).</param>
/// <param name="PrunedMeanwhile">Files the snapshot listed that a prune removed before they were copied: pruned in the copy too.</param>
/// <param name="Missing">Files the snapshot listed that are missing in the source (damage there); the copy's verify reports them.</param>
public sealed record ArchiveCopy(DateTimeOffset TakenAt, int Messages, int Linked, int Copied, long Bytes, bool HasJournal, IReadOnlyList<string> PrunedMeanwhile, IReadOnlyList<string> Missing);
