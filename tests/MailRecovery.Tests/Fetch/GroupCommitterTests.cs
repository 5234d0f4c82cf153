using System.Text;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Fetch;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Fetch;

/// <summary>The group committer of watch: batches of several accounts committed together, in a safe order.</summary>
public sealed class GroupCommitterTests
{
    private static byte[] Message(string id) => Encoding.ASCII.GetBytes($"From: a@example.org\r\nMessage-ID: <{id}@example.org>\r\nSubject: s\r\n\r\nbody\r\n");

    [Fact]
    public async Task A_batch_linking_to_another_accounts_uncommitted_file_is_not_committed_before_that_file_is()
    {
        using var dir = new TempDirectory();
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        using var gate = new SemaphoreSlim(1, 1);
        var committer = new GroupCommitter(archive, gate);
        byte[] bytes = Message("same");

        // Account a downloads the message; account b downloads the same bytes while a's batch is not committed.
        ArchiveBatch a = archive.BeginBatch();
        Assert.True(a.Add(await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None), "imap://a@h:993", "INBOX", 1, "1"));
        ArchiveBatch b = archive.BeginBatch();
        Assert.False(b.Add(await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None), "imap://b@h:993", "INBOX", 1, "7"));

        Task bDone = committer.CommitAsync(b, null);
        await Task.Delay(300);
        Assert.False(bDone.IsCompleted, "b was committed while the file it links to was still in tmp/");
        Assert.Equal(0, archive.Index.CountMessages());

        await committer.CommitAsync(a, null).WaitAsync(TimeSpan.FromSeconds(10));
        await bDone.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, archive.Index.CountMessages());
        Assert.Contains("7", archive.Index.ArchivedServerIds("imap://b@h:993", "INBOX", 1));
        Assert.Contains("1", archive.Index.ArchivedServerIds("imap://a@h:993", "INBOX", 1));
        Assert.Single(ArchiveCataloguer.ListFiles(archive.Layout));
    }

    [Fact]
    public async Task A_batch_whose_borrowed_file_was_dropped_fails_instead_of_naming_a_missing_file()
    {
        using var dir = new TempDirectory();
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        using var gate = new SemaphoreSlim(1, 1);
        var committer = new GroupCommitter(archive, gate);
        byte[] bytes = Message("dropped");

        ArchiveBatch a = archive.BeginBatch();
        a.Add(await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None), "imap://a@h:993", "INBOX", 1, "1");
        ArchiveBatch b = archive.BeginBatch();
        b.Add(await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None), "imap://b@h:993", "INBOX", 1, "7");

        Task bDone = committer.CommitAsync(b, null);
        a.Abandon(); // a's download broke: its file is gone

        await Assert.ThrowsAsync<Core.Errors.MailRecoveryException>(() => bDone.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(archive.Index.ArchivedServerIds("imap://b@h:993", "INBOX", 1));
    }

    [Fact]
    public async Task Batches_of_several_accounts_ready_together_are_committed_in_one_group()
    {
        using var dir = new TempDirectory();
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        using var gate = new SemaphoreSlim(1, 1);
        var committer = new GroupCommitter(archive, gate);
        var batches = new List<ArchiveBatch>();
        for (int i = 0; i < 5; i++)
        {
            ArchiveBatch batch = archive.BeginBatch();
            batch.Add(await archive.Writer.StageAsync(new MemoryStream(Message($"m{i}")), null, CancellationToken.None), $"imap://u{i}@h:993", "INBOX", 1, "1");
            batches.Add(batch);
        }

        await gate.WaitAsync(); // the committer's first group waits for the gate: the other four queue meanwhile
        Task first = committer.CommitAsync(batches[0], null);
        var rest = batches.Skip(1).Select(b => committer.CommitAsync(b, null)).ToList();
        gate.Release();
        await Task.WhenAll([first, .. rest]).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(5, archive.Index.CountMessages());
        Assert.True(committer.Groups <= 2, $"{committer.Groups} groups for 5 batches ready together");
    }

    [Fact]
    public async Task Downloads_can_take_the_archive_gate_while_a_group_is_flushed_and_nothing_is_renamed_before_the_flush()
    {
        // Issue 15: the committer held the gate through the batch's syncfs, so every download stood still at its next
        // index look-up (which takes the gate) once per batch.
        using var dir = new TempDirectory();
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        using var flush = new BlockingFlush();
        archive.Writer.Flush = flush;
        using var gate = new SemaphoreSlim(1, 1);
        var committer = new GroupCommitter(archive, gate);
        ArchiveBatch batch = archive.BeginBatch();
        batch.Add(await archive.Writer.StageAsync(new MemoryStream(Message("slow")), null, CancellationToken.None), "imap://a@h:993", "INBOX", 1, "1");

        Task done = committer.CommitAsync(batch, null);
        Assert.True(flush.Entered.Wait(TimeSpan.FromSeconds(10)), "the group was never flushed");
        bool free = await gate.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(free, "the archive gate was held through the flush");
        Assert.Empty(Directory.GetFiles(archive.Layout.Cur));
        Assert.Equal(0, archive.Index.CountMessages());
        gate.Release();

        flush.Release.Set();
        await done.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(Directory.GetFiles(archive.Layout.Cur));
        Assert.Equal(1, archive.Index.CountMessages());
    }

    [Fact]
    public async Task A_group_whose_flush_fails_renames_nothing_commits_nothing_and_frees_the_gate()
    {
        using var dir = new TempDirectory();
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        archive.Writer.Flush = new FailingFlush();
        using var gate = new SemaphoreSlim(1, 1);
        var committer = new GroupCommitter(archive, gate);
        ArchiveBatch batch = archive.BeginBatch();
        batch.Add(await archive.Writer.StageAsync(new MemoryStream(Message("eio")), null, CancellationToken.None), "imap://a@h:993", "INBOX", 1, "1");

        await Assert.ThrowsAsync<IOException>(() => committer.CommitAsync(batch, null).WaitAsync(TimeSpan.FromSeconds(10)));
        batch.Abandon();

        Assert.Empty(Directory.GetFiles(archive.Layout.Cur));
        Assert.Empty(Directory.GetFiles(archive.Layout.Tmp));
        Assert.Equal(0, archive.Index.CountMessages());
        Assert.True(await gate.WaitAsync(TimeSpan.FromSeconds(5)), "the gate was left taken");
        gate.Release();
    }

    /// <summary>Flushes (fsync per file) only when the test lets it, after telling that it was called.</summary>
    private sealed class BlockingFlush : IBatchFlush, IDisposable
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public void Flush(IReadOnlyList<FileStream> files)
        {
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(30));
            foreach (FileStream file in files)
                file.Flush(flushToDisk: true);
        }

        public void Dispose()
        {
            Entered.Dispose();
            Release.Dispose();
        }
    }

    private sealed class FailingFlush : IBatchFlush
    {
        public void Flush(IReadOnlyList<FileStream> files) => throw new IOException("simulated EIO from syncfs");
    }
}
