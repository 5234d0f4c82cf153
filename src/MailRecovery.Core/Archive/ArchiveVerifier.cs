using System.Security.Cryptography;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Checks index against files: every row has its file with the recorded size and SHA-256, no file is empty,
/// every file has a row, every file has the size its server announced, and cur/ and new/ hold only regular
/// files (a symbolic link is flagged, never followed). Read-only: it can run beside a <c>watch</c>, and files
/// of the batch a live writer has not committed yet are reported as in flight, not as problems.
/// </summary>
public static class ArchiveVerifier
{
    public static async Task<VerifyReport> VerifyAsync(MessageArchive archive, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var problems = new List<ArchiveProblem>();
        Dictionary<string, string> files = ArchiveCataloguer.ListFiles(archive.Layout);
        int checkedCount = 0;
        long bytes = 0;
        foreach (ArchivedMessage row in archive.Index.AllMessages())
        {
            cancellationToken.ThrowIfCancellationRequested();
            // A writer renames a batch into cur/ before it commits the rows: a row committed after the listing
            // may have its file renamed after it too, so cur/ is looked at once more under the name the writer gives.
            if (!files.Remove(row.File, out string? path) && (path = JustRenamed(archive.Layout, row.File)) is null)
            {
                problems.Add(new ArchiveProblem("missing-file", row.File, "the index lists it but no file in cur/ or new/ has this name; " + LostMessage.Of(row, string.Empty).IndexData()));
                continue;
            }

            await using (var stream = RegularFile.OpenRead(path, 128 * 1024))
            {
                if (stream.Length == 0)
                    problems.Add(new ArchiveProblem("empty-file", row.File, "the file is empty: no message is 0 bytes, so a download came back without data"));
                if (stream.Length != row.Size)
                {
                    problems.Add(new ArchiveProblem("size-mismatch", row.File, $"{stream.Length} bytes on disk, {row.Size} in the index"));
                }
                else
                {
                    string sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
                    if (sha != row.Sha256)
                        problems.Add(new ArchiveProblem("hash-mismatch", row.File, $"SHA-256 {sha} on disk, {row.Sha256} in the index: the file was changed after it was archived; {LostMessage.Of(row, string.Empty).IndexData()}"));
                }

                bytes += stream.Length;
            }

            checkedCount++;
            progress?.Report(checkedCount);
        }

        foreach (var (file, account, serverId, serverSize, size) in archive.Index.ServerSizeMismatches())
            problems.Add(new ArchiveProblem("server-size-mismatch", file, $"{size} bytes archived, but {account} announced {serverSize} for message {serverId}: the download may be incomplete"));

        foreach (var (path, kind) in ArchiveCataloguer.ListIrregular(archive.Layout).OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            string what = kind switch
            {
                FileKind.SymbolicLink => "a symbolic link",
                FileKind.Directory => "a directory",
                _ => "not a regular file",
            };
            problems.Add(new ArchiveProblem("not-regular-file", Path.GetRelativePath(archive.Layout.Root, path),
                $"{what} in the Maildir: never indexed, read or replayed; remove it (a message is a regular file)"));
        }

        // Files whose rows a prune turned into tombstones, and that it has not unlinked yet (cut short): the next
        // writer's open unlinks them. Not damage, and not to be adopted by reindex.
        HashSet<string> pruned = new PruneLedger(archive.Index).Files();
        var prunePending = files.Keys.Where(pruned.Contains).Order(StringComparer.Ordinal).ToList();
        var (inFlight, orphans) = SortUnindexed(archive, files.Keys.Where(f => !pruned.Contains(f)));
        foreach (string orphan in orphans)
            problems.Add(new ArchiveProblem("not-indexed", orphan, "a file the index does not know; 'mailrecovery archive reindex' adds it"));
        return new VerifyReport(checkedCount, bytes, problems) { InFlight = inFlight, PrunePending = prunePending };
    }

    private static string? JustRenamed(ArchiveLayout layout, string file)
    {
        string path = Path.Combine(layout.Cur, file + MaildirFileName.InfoSuffix);
        return RegularFile.Exists(path) ? path : null;
    }

    /// <summary>
    /// Files in cur/ without a row are either damage (a crash's leftovers, a file put there by hand) or a batch
    /// of a live writer that is durable but not yet committed (a fetch commits a batch only after the next one
    /// has downloaded, so up to two batches can be in that state). Order is important: the lock is looked at
    /// first and the index read again after it. A writer that let go of the lock before that look has committed
    /// its batches (or died, leaving real leftovers); one that still holds it may commit them any moment.
    /// </summary>
    private static (IReadOnlyList<string> InFlight, IReadOnlyList<string> Orphans) SortUnindexed(MessageArchive archive, IEnumerable<string> unindexed)
    {
        var candidates = unindexed.Order(StringComparer.Ordinal).ToList();
        if (candidates.Count == 0)
            return ([], []);
        bool writing = FlockObserver.IsHeld(archive.Layout.LockPath) == true;
        HashSet<string> indexedNow = archive.Index.AllFiles();
        var left = candidates.Where(f => !indexedNow.Contains(f)).ToList();
        return writing ? (left, []) : ([], left);
    }
}
