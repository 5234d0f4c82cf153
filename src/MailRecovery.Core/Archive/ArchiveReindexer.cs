namespace MailRecovery.Core.Archive;

/// <summary>
/// Rebuilds the catalogue from the Maildir: what it is for is an index that was lost or damaged (a new one is then
/// built from the files alone, <see cref="ArchiveAccess.Rebuild"/>) or files that reached cur/ without rows. It
/// never hides damage: a file whose content is not the SHA-256 its row recorded is not adopted but moved to
/// <c>mailrecovery/quarantine/</c> and its row kept, and the row of a missing file is kept too, so that
/// <c>fetch</c> and <c>archive repair</c> can put the file back from the server or report the message lost. The
/// fetch state (which server message is which file) is kept: it cannot be read from the files, and when it is lost
/// the next fetch re-learns it by content hash.
/// </summary>
public static class ArchiveReindexer
{
    public static async Task<ReindexReport> ReindexAsync(MessageArchive archive, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        PruneLeftovers.Remove(archive.Layout, new PruneLedger(archive.Index)); // a pruned file is never adopted again
        Dictionary<string, ArchivedMessage> recorded = archive.Index.AllMessages().ToDictionary(m => m.File, StringComparer.Ordinal);
        var rows = new List<ArchivedMessage>();
        var quarantined = new List<QuarantinedFile>();
        var missing = new List<LostMessage>();
        int seen = 0;
        foreach (var (_, path) in ArchiveCataloguer.ListFiles(archive.Layout).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            ArchivedMessage row = await ArchiveCataloguer.CatalogueAsync(path, cancellationToken);
            seen++;
            progress?.Report(seen);
            if (recorded.Remove(row.File, out ArchivedMessage? before) && before.Sha256 != row.Sha256)
            {
                // Not the bytes that were archived: adopting them would make verify say "sound" and replay send
                // bytes no server sent. Moved aside (kept, never deleted), its row kept as it was.
                string reason = $"{row.Size} bytes with SHA-256 {row.Sha256}, archived as {before.Size} bytes with SHA-256 {before.Sha256}";
                string moved = FileDamage.Quarantine(archive.Layout, path, archive.Clock);
                quarantined.Add(new QuarantinedFile(row.File, moved, reason));
                rows.Add(before);
                continue;
            }

            rows.Add(row);
        }

        // Rows whose file is gone stay: dropping them would erase the only trace of the message.
        foreach (ArchivedMessage gone in recorded.Values.OrderBy(m => m.File, StringComparer.Ordinal))
        {
            rows.Add(gone);
            missing.Add(LostMessage.Of(gone, "the file is missing"));
        }

        foreach (QuarantinedFile q in quarantined)
            missing.Add(LostMessage.Of(rows.First(r => r.File == q.File), "the file's content changed; moved to " + q.MovedTo));
        archive.Index.Commit(rows, [], [archive.CurStamp()], replaceCatalogue: true);
        return new ReindexReport(seen - quarantined.Count, quarantined, missing, archive.IndexMovedAside);
    }
}
