using System.Text;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Time.Testing;

namespace MailRecovery.Tests.Archive;

public sealed class ArchiveReindexerTests : IDisposable
{
    private static readonly DateTimeOffset InternalDate = new(2026, 10, 3, 4, 5, 6, 789, TimeSpan.FromHours(2));
    private readonly TempDirectory dir = new();

    // Sub-millisecond ticks, so the fetch time must come back from the file name, not from rounding luck.
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 8, 30, 15, TimeSpan.Zero).AddTicks(4_567_891));

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Rebuilding_a_deleted_index_gives_back_the_same_rows_for_every_receipt_time_source()
    {
        List<ArchivedMessage> original = await ArchiveOneOfEachAsync();
        Assert.Equal(
            [ReceivedTimeSource.ReceivedHeader, ReceivedTimeSource.InternalDate, ReceivedTimeSource.FetchTime],
            original.Select(r => r.Metadata.ReceivedSource).Order());
        var layout = new ArchiveLayout(dir.Path);
        foreach (string file in Directory.GetFiles(layout.DataDir, "index.sqlite*"))
            File.Delete(file);

        using MessageArchive archive = await OpenAsync();
        ReindexReport report = await ArchiveReindexer.ReindexAsync(archive, null, CancellationToken.None);

        Assert.Equal(3, report.Indexed);
        Assert.Equal(original, archive.Index.AllMessages().ToList());
    }

    [Fact]
    public async Task Reindexing_keeps_the_row_of_a_missing_file_and_reports_progress()
    {
        List<ArchivedMessage> original = await ArchiveOneOfEachAsync();
        using MessageArchive archive = await OpenAsync();
        ArchivedMessage stale = original[0] with { File = "0.gone.host", Sha256 = new string('0', 64) };
        archive.Index.Commit([stale], []);
        var progress = new List<int>();

        ReindexReport report = await ArchiveReindexer.ReindexAsync(archive, new SynchronousProgress(progress), CancellationToken.None);

        // The row of a file that is gone is the only trace of the message: kept, and reported, never dropped.
        Assert.Equal([.. original.Append(stale).OrderBy(m => m.File, StringComparer.Ordinal)], archive.Index.AllMessages().ToList());
        Assert.Equal("0.gone.host", Assert.Single(report.Damaged).File);
        Assert.Equal([1, 2, 3], progress);
    }

    [Fact]
    public async Task Reindexing_keeps_the_fetch_state()
    {
        await ArchiveOneOfEachAsync();
        using MessageArchive archive = await OpenAsync();

        await ArchiveReindexer.ReindexAsync(archive, null, CancellationToken.None);

        Assert.Equal(["f", "h", "i"], archive.Index.ArchivedServerIds("imap://u@h:993", "INBOX", 1).Order(StringComparer.Ordinal));
    }

    /// <summary>Archives one message per receipt time source and returns the index rows as written.</summary>
    private async Task<List<ArchivedMessage>> ArchiveOneOfEachAsync()
    {
        byte[] withHeader = TestMessages.Simple(1, "h@example.org");
        byte[] noHeader = Encoding.UTF8.GetBytes("From: a@example.org\r\nTo: Support@Example.Test\r\nMessage-ID: <i@example.org>\r\nSubject: imap\r\n\r\nbody\r\n");
        byte[] bare = Encoding.UTF8.GetBytes("From: b@example.org\r\nDelivered-To: safety@example.test\r\nSubject: pop3\r\nX-MailRecovery-Probe: 1\r\n\r\nbody\r\n");

        using MessageArchive archive = await OpenAsync();
        ArchiveBatch batch = archive.BeginBatch();
        batch.Add(await archive.Writer.StageAsync(new MemoryStream(withHeader), InternalDate, CancellationToken.None), "imap://u@h:993", "INBOX", 1, "h");
        batch.Add(await archive.Writer.StageAsync(new MemoryStream(noHeader), InternalDate, CancellationToken.None), "imap://u@h:993", "INBOX", 1, "i");
        clock.Advance(TimeSpan.FromSeconds(1.5));
        batch.Add(await archive.Writer.StageAsync(new MemoryStream(bare), null, CancellationToken.None), "imap://u@h:993", "INBOX", 1, "f");
        batch.Commit();
        return archive.Index.AllMessages().ToList();
    }

    private Task<MessageArchive> OpenAsync() => MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, clock, CancellationToken.None);

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this records in order, on the caller's thread.</summary>
    private sealed class SynchronousProgress(List<int> seen) : IProgress<int>
    {
        public void Report(int value) => seen.Add(value);
    }
}
