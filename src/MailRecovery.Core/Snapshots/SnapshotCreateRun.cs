using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// <c>snapshot create</c>: the vendor's backup step. <c>--before</c> (maintenance mode on), the copy into a tar
/// with a manifest, <c>--after</c> always, then the snapshot is made durable, verified and only then renamed to its
/// final name; <c>--keep</c> prunes after that.
/// </summary>
public sealed class SnapshotCreateRun(SnapshotStore store, TimeProvider clock, TextWriter log, SnapshotProgress? progress = null)
{
    /// <exception cref="MailRecoveryException">Usage: a bad directory; Permanent: a hook failed, a file changed under --before, or the written snapshot does not verify.</exception>
    public async Task<SnapshotCreateReport> RunAsync(SnapshotCreateOptions options, CancellationToken ct)
    {
        IReadOnlyList<SnapshotDirectory> dirs = Label(options.DataDirectories, store.Path);
        store.Create();
        string? partial = null;
        SnapshotManifest manifest;
        bool afterRan = false;
        MailRecoveryException? afterFailed = null;
        try
        {
            if (options.Before is not null)
                await HookCommand.RunAsync("--before", options.Before, options.HookTimeout, log, ct);

            // The moment the copy starts, after --before: what the helpdesk pulls later is not in the snapshot.
            DateTimeOffset started = clock.GetUtcNow();
            string id = SnapshotId.New(started);
            partial = store.PartialPathOf(id);
            Directory.CreateDirectory(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            string dataFile = options.Compress ? "data.tar.gz" : "data.tar";
            var writer = new SnapshotWriter(UnixAccounts.Load(), progress);
            (long size, string sha) = await writer.WriteAsync(Path.Combine(partial, dataFile), dirs, options.Compress, ct);
            DateTimeOffset finished = clock.GetUtcNow();

            // Order is important: the helpdesk comes back as soon as its files are read; verifying reads the store only.
            afterRan = true;
            afterFailed = await RunAfterAsync(options);
            if (writer.Changed > 0 && options.Before is not null)
            {
                foreach (string w in writer.Warnings)
                    log.WriteLine($"warning: {w}");
                if (afterFailed is not null)
                    log.WriteLine($"error: {afterFailed.UserText}");
                throw new MailRecoveryException(FailureKind.Permanent, FailureScope.Run,
                    $"{writer.Changed} file(s) changed while they were copied although --before ran: maintenance mode did not hold; the snapshot is not kept.",
                    "make --before stop every writer (check the warnings above), then run snapshot create again.");
            }

            manifest = new SnapshotManifest(SnapshotManifest.CurrentFormat, id, started, finished, dataFile, size, sha, dirs, writer.Entries, writer.Warnings);
            await WriteManifestAsync(partial, manifest, ct);
            List<string> problems = await SnapshotReader.ReadAsync(partial, manifest, null, null, ct);
            if (problems.Count > 0)
                throw new MailRecoveryException(FailureKind.Permanent, FailureScope.Run, $"the snapshot just written does not verify: {problems[0]}; it is not kept.", "check the store's disk (dmesg), then run snapshot create again.");

            // Order is important: the partial directory's entries are durable before its rename makes it a snapshot,
            // and the rename is durable (store synced) before --keep removes an older one.
            DirectorySync.Sync(partial);
            string final = store.PathOf(id);
            Directory.Move(partial, final);
            partial = null;
            DirectorySync.Sync(store.Path);
            var report = new SnapshotCreateReport(manifest, final, Prune(options.Keep, id));

            // The snapshot is good and kept; the failed --after is still this run's failure: the helpdesk may be down.
            return afterFailed is null ? report : throw afterFailed;
        }
        finally
        {
            if (!afterRan && await RunAfterAsync(options) is { } e)
                log.WriteLine($"error: {e.UserText}");
            if (partial is not null)
                TryDelete(partial);
        }
    }

    /// <summary>Labels are the directories' own names, made unique; a store inside a data directory is refused.</summary>
    private static List<SnapshotDirectory> Label(IReadOnlyList<string> paths, string storePath)
    {
        if (paths.Count == 0)
            throw MailRecoveryException.Usage("no data directory given.", "pass --data DIR (repeatable).");
        var labels = new List<SnapshotDirectory>();
        foreach (string p in paths.Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p))))
        {
            if (UnixFiles.Lstat(p) is not { Type: EntryType.Directory })
                throw MailRecoveryException.Usage($"--data {p} is not a directory (a link to one is not followed).", "give the real directory.");
            if ((storePath + "/").StartsWith(p + "/", StringComparison.Ordinal) || (p + "/").StartsWith(storePath + "/", StringComparison.Ordinal))
                throw MailRecoveryException.Usage($"the store {storePath} and the data directory {p} contain one another.", "put the store elsewhere, ideally on another disk.");
            if (labels.Any(l => l.Path == p))
                continue;
            string name = Path.GetFileName(p) is { Length: > 0 } n ? n : "root";
            string label = name;
            for (int i = 2; labels.Any(l => l.Label == label); i++)
                label = $"{name}-{i}";
            labels.Add(new SnapshotDirectory(label, p));
        }

        return labels;
    }

    /// <returns>Its failure, or null.</returns>
    private async Task<MailRecoveryException?> RunAfterAsync(SnapshotCreateOptions options)
    {
        if (options.After is null)
            return null;
        try
        {
            // --after runs even when the verb is being cancelled (Ctrl+C, SIGTERM): the helpdesk must not stay in
            // maintenance mode. Its own timeout bounds it instead of the verb's token.
            await HookCommand.RunAsync("--after", options.After, options.HookTimeout, log, CancellationToken.None);
            return null;
        }
        catch (MailRecoveryException e)
        {
            return e;
        }
    }

    private static async Task WriteManifestAsync(string dir, SnapshotManifest manifest, CancellationToken ct)
    {
        await using var s = new FileStream(Path.Combine(dir, SnapshotManifest.FileName), FileMode.CreateNew, FileAccess.Write);
        await s.WriteAsync(SnapshotJson.Write(manifest), ct);
        s.Flush(flushToDisk: true);
    }

    /// <summary>Removes complete snapshots older than the newest <paramref name="keep"/>, and unfinished creates; never <paramref name="newest"/>.</summary>
    private List<string> Prune(int keep, string newest)
    {
        var removed = new List<string>();
        if (keep <= 0)
            return removed;
        IReadOnlyList<SnapshotInfo> all = store.List();
        var complete = all.Where(s => s.State == SnapshotState.Complete && s.Id != newest)
            .OrderByDescending(s => s.Manifest!.StartedUtc).ThenByDescending(s => s.Id, StringComparer.Ordinal).ToList();
        foreach (SnapshotInfo old in complete.Skip(keep - 1).Concat(all.Where(s => s.State == SnapshotState.Partial)))
        {
            TryDelete(old.Path);
            removed.Add(old.Id);
        }

        DirectorySync.Sync(store.Path);
        return removed;
    }

    private void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.WriteLine($"warning: could not remove {dir}: {e.Message}");
        }
    }
}
