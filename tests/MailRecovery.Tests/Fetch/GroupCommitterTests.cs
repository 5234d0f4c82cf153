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
}
