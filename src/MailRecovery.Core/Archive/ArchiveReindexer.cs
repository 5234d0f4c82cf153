namespace MailRecovery.Core.Archive;

/// <summary>
/// Rebuilds the catalogue from the Maildir alone. The fetch state (which server message is which file) is
/// kept: it cannot be read from the files, and when it is lost the next fetch re-learns it by content hash.
/// </summary>
public static class ArchiveReindexer
{
    /// <returns>The number of files catalogued.</returns>
    public static async Task<int> ReindexAsync(MessageArchive archive, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var rows = new List<ArchivedMessage>();
        foreach (var (_, path) in ArchiveCataloguer.ListFiles(archive.Layout).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            rows.Add(await ArchiveCataloguer.CatalogueAsync(path, cancellationToken));
            progress?.Report(rows.Count);
        }

        archive.Index.Commit(rows, [], [archive.CurStamp()], replaceCatalogue: true);
        return rows.Count;
    }
}
