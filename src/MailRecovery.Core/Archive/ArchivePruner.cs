namespace MailRecovery.Core.Archive;

/// <summary>
/// Removes old messages from the index and the Maildir together (<c>archive prune</c>, and <c>watch</c>'s daily
/// job). Selection is by the receipt time (<c>messages.received_utc</c>), before a whole-day cut
/// (<see cref="PruneCutoff"/>). The fetch state is kept, so a server that still has a pruned message (keep policy)
/// is not asked for it again; the replay journal is not touched: its rows for pruned files stay as history, and
/// replay selects from the catalogue, where a pruned message no longer is, so it never sends one.
/// </summary>
public static class ArchivePruner
{
    /// <summary>What a prune at <paramref name="cutoff"/> would remove; reads only (works beside a running watch).</summary>
    public static PruneReport Plan(ArchiveIndex index, DateTimeOffset cutoff) =>
        new(cutoff, new PruneLedger(index).ReceivedBefore(cutoff), DryRun: true, LeftoversRemoved: 0);

    /// <summary>
    /// Prunes. The caller holds the archive lock (a writer's <see cref="MessageArchive"/>) and the replay lock, so
    /// neither a fetch nor a replay uses a file while it goes.
    /// </summary>
    /// <param name="afterStep">Test seam: called after each step (<see cref="PruneStep"/>); throwing simulates a crash there.</param>
    public static PruneReport Prune(MessageArchive archive, DateTimeOffset cutoff, Action<PruneStep>? afterStep = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var ledger = new PruneLedger(archive.Index);
        int leftovers = PruneLeftovers.Remove(archive.Layout, ledger);
        List<PrunedMessage> selected = ledger.ReceivedBefore(cutoff);
        if (selected.Count == 0)
            return new PruneReport(cutoff, selected, DryRun: false, leftovers);

        // Order is important. The rows go first, in one transaction, and become tombstones: a crash after it
        // leaves files without rows, which the next writer's open, reindex and the next prune unlink because
        // their names are tombstoned (verify counts them prune-pending, not damage). Files first would leave rows
        // whose file is missing, which verify rightly calls damage and a fetch would try to download again.
        ledger.Commit([.. selected.Select(m => m.File)], archive.Clock.GetUtcNow());
        afterStep?.Invoke(PruneStep.RowsCommitted);

        foreach (PrunedMessage message in selected)
        {
            // Resolved by base name: a reader may have moved it to new/ or renamed its flags.
            if (archive.Layout.Resolve(message.File) is { } path)
                File.Delete(path);
            afterStep?.Invoke(PruneStep.FileRemoved);
        }

        PruneLeftovers.SyncMaildir(archive.Layout);
        afterStep?.Invoke(PruneStep.FilesDurable);

        // Only now may the cur/ stamp match again: until the unlinks are durable the next open must scan.
        archive.Index.Commit([], [], [archive.CurStamp()]);
        return new PruneReport(cutoff, selected, DryRun: false, leftovers);
    }
}
