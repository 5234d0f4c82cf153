using MailRecovery.Core.Archive;
using MailRecovery.Core.IO;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Time.Testing;

namespace MailRecovery.Tests.Archive;

/// <summary>
/// The batch's durability step (issue 15): one flush per batch, all of it before the first rename, nothing renamed
/// when it fails; syncfs only where the file system's sync_fs really flushes.
/// </summary>
public sealed class BatchFlushTests : IDisposable
{
    private const long Ext4 = 0xEF53;
    private const long Fuse = 0x65735546;
    private const long Nfs = 0x6969;
    private const long Tmpfs = 0x01021994;
    private readonly TempDirectory dir = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 8, 30, 15, TimeSpan.Zero));

    private string Root => dir.Sub("archive");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_batch_is_flushed_once_with_every_file_still_in_tmp_and_none_in_cur()
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(Root, ArchiveAccess.ReadWrite, clock, CancellationToken.None);
        var flush = new RecordingFlush(archive.Layout);
        archive.Writer.Flush = flush;

        for (int b = 0; b < 2; b++)
        {
            ArchiveBatch batch = archive.BeginBatch();
            for (int i = 0; i < 20; i++)
            {
                int n = (b * 100) + i;
                StagedMessage staged = await archive.Writer.StageAsync(new MemoryStream(TestMessages.Simple(n, $"m{n}@example.org")), null, CancellationToken.None);
                batch.Add(staged, "imap://u@h:993", "INBOX", 1, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            batch.Commit();
        }

        Assert.Equal([(20, 20, 0), (20, 20, 20)], flush.Calls);
        Assert.Equal(40, Directory.GetFiles(archive.Layout.Cur).Length);
        Assert.Empty(Directory.GetFiles(archive.Layout.Tmp));
    }

    [Fact]
    public async Task A_failed_flush_renames_nothing_and_the_batch_leaves_no_file_behind()
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(Root, ArchiveAccess.ReadWrite, clock, CancellationToken.None);
        archive.Writer.Flush = new FailingFlush();
        ArchiveBatch batch = archive.BeginBatch();
        for (int i = 0; i < 10; i++)
        {
            StagedMessage staged = await archive.Writer.StageAsync(new MemoryStream(TestMessages.Simple(i, $"f{i}@example.org")), null, CancellationToken.None);
            batch.Add(staged, "imap://u@h:993", "INBOX", 1, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Throws<IOException>(() => batch.Commit());
        batch.Abandon();

        Assert.Empty(Directory.GetFiles(archive.Layout.Cur));
        Assert.Empty(Directory.GetFiles(archive.Layout.Tmp));
        Assert.Empty(archive.Index.AllMessages());
    }

    [Theory]
    [InlineData(Ext4, true, true)]
    [InlineData(0x58465342L, true, true)] // XFS
    [InlineData(Ext4, false, false)]      // a kernel before 5.8: syncfs does not report write errors
    [InlineData(Fuse, true, false)]       // the kernel passes syncfs to a FUSE daemon only for virtiofs
    [InlineData(Nfs, true, false)]
    [InlineData(Tmpfs, true, false)]
    public void Syncfs_is_used_only_where_it_flushes_and_reports_errors(long type, bool reportsErrors, bool syncfs) =>
        Assert.Equal(syncfs, BatchFlush.ForType(type, reportsErrors) is FileSystemFlush);

    [Fact]
    public void An_unknown_file_system_keeps_per_file_fsync() =>
        Assert.IsType<PerFileFlush>(BatchFlush.ForType(null, syncFsReportsErrors: true));

    [Fact]
    public void The_file_system_type_of_a_real_directory_is_read()
    {
        Assert.NotNull(FileSystemSync.TypeOf(dir.Path));
        Assert.Null(FileSystemSync.TypeOf(Path.Combine(dir.Path, "no-such-directory")));
    }

    [Fact]
    public async Task The_archive_flushes_a_real_batch_the_way_its_file_system_allows()
    {
        // On ext4 (this machine, CI) that is one real syncfs(2); on tmpfs or FUSE, parallel fsyncs.
        using MessageArchive archive = await MessageArchive.OpenAsync(Root, ArchiveAccess.ReadWrite, clock, CancellationToken.None);
        Assert.Equal(BatchFlush.ForType(FileSystemSync.TypeOf(Root), FileSystemSync.ReportsErrors).GetType(), archive.Writer.Flush.GetType());
        ArchiveBatch batch = archive.BeginBatch();
        for (int i = 0; i < FileSystemFlush.MinFiles; i++)
        {
            StagedMessage staged = await archive.Writer.StageAsync(new MemoryStream(TestMessages.Simple(i, $"s{i}@example.org")), null, CancellationToken.None);
            batch.Add(staged, "imap://u@h:993", "INBOX", 1, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        batch.Commit();
        Assert.Equal(FileSystemFlush.MinFiles, Directory.GetFiles(archive.Layout.Cur).Length);
    }

    /// <summary>Records, per flush: the files passed, the files then in tmp/, the files then in cur/.</summary>
    private sealed class RecordingFlush(ArchiveLayout layout) : IBatchFlush
    {
        public List<(int Files, int InTmp, int InCur)> Calls { get; } = [];

        public void Flush(IReadOnlyList<FileStream> files)
        {
            foreach (FileStream f in files)
                f.Flush(flushToDisk: true);
            Calls.Add((files.Count, Directory.GetFiles(layout.Tmp).Length, Directory.GetFiles(layout.Cur).Length));
        }
    }

    private sealed class FailingFlush : IBatchFlush
    {
        public void Flush(IReadOnlyList<FileStream> files) => throw new IOException("simulated EIO from syncfs");
    }
}
