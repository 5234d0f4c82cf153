namespace MailRecovery.Core.Archive;

/// <summary>What <c>archive prune</c> selected (a dry run) or removed.</summary>
/// <param name="Cutoff">Messages received before this moment (exclusive) are selected: midnight UTC, the given days ago.</param>
/// <param name="Messages">The messages, oldest first; the same list a dry run prints on the same day.</param>
/// <param name="LeftoversRemoved">Files of an earlier prune that was cut short, unlinked first.</param>
public sealed record PruneReport(DateTimeOffset Cutoff, IReadOnlyList<PrunedMessage> Messages, bool DryRun, int LeftoversRemoved)
{
    public long Bytes => Messages.Sum(m => m.Size);
}
