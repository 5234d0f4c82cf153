using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Fetch;

/// <summary>
/// Makes downloaded batches durable for every account of a process, several at a time: the batches waiting when
/// the previous group finished are published together (their files fsynced together, one rename pass, one fsync
/// of cur/) and their index rows committed in one transaction, with the accounts' pass records. With 1,000
/// accounts in <c>watch</c> a message each costs about two flushes per group, not three or four per account,
/// and no account waits for another's download (issue 15: they used to queue behind one gate, ~90 ms each).
/// <para>
/// The archive gate is held only while a group is renamed into cur/ and committed: nothing else writes the index or
/// the cur/ stamp between a group's renames and its commit, so the stamp never covers a file without a row. The
/// flush before the renames (syncfs, the slow part) runs without the gate, so downloads go on meanwhile.
/// A batch that links to a file of another batch not yet committed (the same bytes fetched by two accounts) waits
/// for that batch, or goes in its group: the index never names a file that is not durable.
/// </para>
/// </summary>
internal sealed class GroupCommitter(MessageArchive archive, SemaphoreSlim archiveGate)
{
    private readonly List<Pending> queue = [];
    private readonly List<(string Account, DateTimeOffset At, TaskCompletionSource Done)> successes = [];
    private bool running;
    private int groups;

    /// <summary>Groups committed so far (tests and the fleet bench read it).</summary>
    public int Groups => Volatile.Read(ref groups);

    /// <summary>How often batches waiting for another account's batch are looked at again.</summary>
    private static readonly TimeSpan WaitingRecheck = TimeSpan.FromMilliseconds(20);

    /// <summary>Publishes and commits <paramref name="batch"/> in the next group; completes when its rows are committed.</summary>
    /// <param name="afterFilesDurable">A test hook, called between the files' durability and the commit; if it throws, this batch is not committed.</param>
    public Task CommitAsync(ArchiveBatch batch, Action? afterFilesDurable)
    {
        var pending = new Pending(batch, afterFilesDurable);
        lock (queue)
        {
            queue.Add(pending);
            StartIfIdle();
        }

        return pending.Done.Task;
    }

    /// <summary>Records an account's successful pass in the next group's transaction (status reads it; no ordering depends on it).</summary>
    public Task RecordSuccessAsync(string account, DateTimeOffset at)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (queue)
        {
            successes.Add((account, at, done));
            StartIfIdle();
        }

        return done.Task;
    }

    /// <summary>One runner at a time; it drains the queue group by group and stops when it is empty. Caller holds the queue lock.</summary>
    private void StartIfIdle()
    {
        if (running)
            return;
        running = true;
        _ = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        while (true)
        {
            List<Pending> group;
            List<(string Account, DateTimeOffset At, TaskCompletionSource Done)> records;
            lock (queue)
            {
                // A batch that borrowed a file of a batch not in this group and not committed waits for a later group.
                var all = queue.Select(p => p.Batch).ToList();
                group = queue.Where(p => !p.Batch.WaitsForOthers(all)).ToList();
                queue.RemoveAll(group.Contains);
                records = [.. successes];
                successes.Clear();
                if (group.Count == 0 && records.Count == 0 && queue.Count == 0)
                {
                    running = false;
                    return;
                }
            }

            if (group.Count == 0 && records.Count == 0)
            {
                // Only batches waiting for a lender that is still downloading (or was dropped): look again shortly.
                await Task.Delay(WaitingRecheck, archive.Clock);
                continue;
            }

            // The group's files are made durable before the gate is taken (issue 15: with the gate held through the
            // syncfs, every download stood still at its next index look-up, once per batch). Nothing is renamed yet,
            // so no cur/ stamp written meanwhile can cover a file without a row.
            Exception? notDurable = null;
            try
            {
                ArchiveBatch.MakeDurableTogether(archive, [.. group.Select(p => p.Batch)]);
            }
            catch (Exception e)
            {
                notDurable = e;
            }

            await archiveGate.WaitAsync(CancellationToken.None);
            try
            {
                if (notDurable is not null)
                {
                    foreach (Pending p in group)
                        p.Done.TrySetException(notDurable);
                    group.Clear();
                }

                CommitGroup(group);
                RecordSuccesses(records);
                Interlocked.Increment(ref groups);
            }
            finally
            {
                archiveGate.Release();
            }
        }
    }

    /// <summary>Publishes and commits one group. Each batch's task completes or fails; none is left waiting. The caller holds the gate.</summary>
    private void CommitGroup(List<Pending> group)
    {
        if (group.Count == 0)
            return;
        foreach (Pending p in group.Where(p => p.Batch.LostABorrowedFile()).ToList())
        {
            group.Remove(p);
            p.Done.TrySetException(new MailRecoveryException(FailureKind.Transient, FailureScope.Account, "a message this pass shares with another account was not archived with that account's batch", "nothing to do: the message is fetched again on the next pass."));
        }

        try
        {
            ArchiveBatch.PublishTogether(archive, [.. group.Select(p => p.Batch)]);
        }
        catch (Exception e)
        {
            foreach (Pending p in group)
                p.Done.TrySetException(e);
            return;
        }

        var committing = new List<Pending>(group.Count);
        foreach (Pending p in group)
        {
            try
            {
                p.AfterFilesDurable?.Invoke();
                committing.Add(p);
            }
            catch (Exception e)
            {
                archive.ForceCurScan(); // its files are in cur/ without rows: the next open must catalogue them
                p.Done.TrySetException(e);
            }
        }

        try
        {
            ArchiveBatch.CommitIndexTogether(archive, [.. committing.Select(p => p.Batch)]);
        }
        catch (Exception e)
        {
            foreach (Pending p in committing)
                p.Done.TrySetException(e);
            return;
        }

        foreach (Pending p in committing)
            p.Done.TrySetResult();
    }

    private void RecordSuccesses(List<(string Account, DateTimeOffset At, TaskCompletionSource Done)> records)
    {
        if (records.Count == 0)
            return;
        try
        {
            archive.Index.RecordAccountSuccesses(records.Select(r => (r.Account, r.At)).ToList());
            foreach (var r in records)
                r.Done.TrySetResult();
        }
        catch (Exception e)
        {
            foreach (var r in records)
                r.Done.TrySetException(e);
        }
    }

    private sealed class Pending(ArchiveBatch batch, Action? afterFilesDurable)
    {
        public ArchiveBatch Batch { get; } = batch;

        public Action? AfterFilesDurable { get; } = afterFilesDurable;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
