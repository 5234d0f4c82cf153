using System.Security.Cryptography;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Time.Testing;

namespace MailRecovery.Tests.Archive;

public sealed class MessageArchiveTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly DateTimeOffset ReceivedInHeader = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory dir = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 8, 30, 15, TimeSpan.Zero).AddTicks(1_234_560));

    // A directory the archive creates itself, so that its mode is the archive's doing.
    private string Root => dir.Sub("archive");

    private ArchiveLayout Layout => new(Root);

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_committed_message_is_a_private_byte_exact_file_in_cur_with_the_received_time_as_mtime()
    {
        byte[] bytes = TestMessages.Simple(1, "m1@example.org");

        using (MessageArchive archive = await OpenAsync())
        {
            StagedMessage staged = await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None);
            ArchiveBatch batch = archive.BeginBatch();
            Assert.True(batch.Add(staged, "imap://u@h:993", "INBOX", 1, "1"));
            batch.Commit();
        }

        string file = Assert.Single(Directory.GetFiles(Layout.Cur));
        Assert.EndsWith(":2,", file, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(ReceivedInHeader.UtcDateTime, File.GetLastWriteTimeUtc(file));
        Assert.Empty(Directory.GetFiles(Layout.Tmp));
        Assert.Empty(Directory.GetFiles(Layout.New));
        foreach (string d in new[] { Layout.Root, Layout.Cur, Layout.New, Layout.Tmp, Layout.DataDir })
            Assert.Equal(Private, File.GetUnixFileMode(d));
    }

    [Fact]
    public async Task The_index_row_describes_the_file()
    {
        byte[] bytes = TestMessages.Simple(2, "m2@example.org");

        using (MessageArchive archive = await OpenAsync())
            await CommitAsync(archive, bytes);

        ArchiveSnapshot snapshot = ArchiveSnapshot.Take(Root);
        Assert.Equal([Sha(bytes)], snapshot.FileHashes);
        Assert.Equal(snapshot.FileHashes, snapshot.IndexHashes);
        using ArchiveIndex index = ArchiveIndex.Open(Layout.IndexPath, readOnly: true);
        ArchivedMessage row = Assert.Single(index.AllMessages());
        Assert.Equal(MaildirFileName.BaseOf(Path.GetFileName(Directory.GetFiles(Layout.Cur)[0])), row.File);
        Assert.Equal(bytes.Length, row.Size);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), row.ArchivedAt.ToUnixTimeMilliseconds());
        Assert.Equal("m2@example.org", row.Metadata.MessageId);
        Assert.Equal(ReceivedInHeader, row.Metadata.ReceivedAt);
        Assert.Equal(ReceivedTimeSource.ReceivedHeader, row.Metadata.ReceivedSource);
        Assert.Equal("test message 2", row.Metadata.Subject);
        Assert.Equal(row.File, index.FindFileBySha256(Sha(bytes)));
        Assert.Equal(["7"], index.ArchivedServerIds("imap://u@h:993", "INBOX", 1));
    }

    [Fact]
    public async Task Without_a_Received_header_the_mtime_is_the_internal_date()
    {
        var internalDate = new DateTimeOffset(2026, 10, 3, 4, 5, 6, TimeSpan.FromHours(2));

        using (MessageArchive archive = await OpenAsync())
            await CommitAsync(archive, "Subject: no hops\r\n\r\nbody\r\n"u8.ToArray(), internalDate);

        string file = Assert.Single(Directory.GetFiles(Layout.Cur));
        Assert.Equal(internalDate.UtcDateTime, File.GetLastWriteTimeUtc(file));
        Assert.EndsWith(",R=i:2,", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Byte_identical_content_is_stored_once_and_linked_twice()
    {
        byte[] bytes = TestMessages.Simple(3, "m3@example.org");

        using (MessageArchive archive = await OpenAsync())
        {
            await CommitAsync(archive, bytes, serverId: "1");

            StagedMessage again = await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None);
            ArchiveBatch batch = archive.BeginBatch();
            Assert.False(batch.Add(again, "imap://u@h:993", "INBOX", 1, "2"));
            batch.Commit();

            Assert.Equal(["1", "2"], archive.Index.ArchivedServerIds("imap://u@h:993", "INBOX", 1).Order(StringComparer.Ordinal));
        }

        Assert.Single(Directory.GetFiles(Layout.Cur));
        Assert.Empty(Directory.GetFiles(Layout.Tmp));
        Assert.Single(ArchiveSnapshot.Take(Root).IndexHashes);
    }

    [Fact]
    public async Task Byte_identical_content_within_one_batch_is_stored_once()
    {
        byte[] bytes = TestMessages.Simple(4, "m4@example.org");

        using (MessageArchive archive = await OpenAsync())
        {
            ArchiveBatch batch = archive.BeginBatch();
            Assert.True(batch.Add(await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None), "pop3://u@h:995", "", 0, "a"));
            Assert.False(batch.Add(await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None), "pop3://u@h:995", "", 0, "b"));
            batch.Commit();
        }

        Assert.Single(Directory.GetFiles(Layout.Cur));
        Assert.Empty(Directory.GetFiles(Layout.Tmp));
    }

    [Fact]
    public async Task A_second_writer_is_refused_because_the_archive_is_in_use()
    {
        using MessageArchive first = await OpenAsync();

        MailRecoveryException e = await Assert.ThrowsAsync<MailRecoveryException>(OpenAsync);

        Assert.Contains("in use", e.Message, StringComparison.Ordinal);
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.NotNull(e.Fix);
    }

    [Fact]
    public async Task The_lock_is_released_on_dispose()
    {
        (await OpenAsync()).Dispose();

        using MessageArchive second = await OpenAsync();

        Assert.Equal(0, second.Index.CountMessages());
    }

    [Fact]
    public async Task A_reader_opens_beside_a_writer()
    {
        using MessageArchive writer = await OpenAsync();
        await CommitAsync(writer, TestMessages.Simple(5));

        using MessageArchive reader = await MessageArchive.OpenAsync(Root, ArchiveAccess.ReadOnly, clock, CancellationToken.None);

        Assert.Equal(1, reader.Index.CountMessages());
    }

    [Fact]
    public async Task Opening_a_directory_without_an_index_read_only_is_a_usage_error()
    {
        MailRecoveryException e = await Assert.ThrowsAsync<MailRecoveryException>(() =>
            MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadOnly, clock, CancellationToken.None));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("reindex", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stray_file_in_tmp_is_removed_on_open()
    {
        (await OpenAsync()).Dispose();
        string stray = Path.Combine(Layout.Tmp, "1764150000.P99Q1.host");
        await File.WriteAllTextAsync(stray, "half a message");

        using MessageArchive archive = await OpenAsync();

        Assert.False(File.Exists(stray));
        Assert.Equal(0, archive.Index.CountMessages());
    }

    [Fact]
    public async Task A_file_renamed_into_cur_before_the_index_commit_is_catalogued_on_the_next_open()
    {
        byte[] bytes = TestMessages.Simple(6, "m6@example.org");
        using (MessageArchive archive = await OpenAsync())
        {
            await CommitAsync(archive, TestMessages.Simple(5, "m5@example.org"));
            StagedMessage staged = await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None);
            ArchiveBatch batch = archive.BeginBatch();
            batch.Add(staged, "imap://u@h:993", "INBOX", 1, "6");

            // The crash: files durable in cur/, index transaction never run.
            Assert.Throws<InvalidOperationException>(() => batch.Commit(() => throw new InvalidOperationException("crash")));
            Assert.Null(archive.Index.FindFileBySha256(Sha(bytes)));
        }

        using (MessageArchive reopened = await OpenAsync())
        {
            Assert.Equal(2, reopened.Index.CountMessages());
            Assert.NotNull(reopened.Index.FindFileBySha256(Sha(bytes)));
        }

        ArchiveSnapshot snapshot = ArchiveSnapshot.Take(Root);
        Assert.Equal(2, snapshot.FileHashes.Count);
        Assert.Equal(snapshot.FileHashes, snapshot.IndexHashes);
    }

    [Fact]
    public async Task A_file_copied_into_cur_by_hand_is_catalogued_on_the_next_open()
    {
        (await OpenAsync()).Dispose();
        byte[] bytes = TestMessages.Simple(7, "m7@example.org");
        string copied = Path.Combine(Layout.Cur, "1234567890.abc.otherhost:2,S");
        await File.WriteAllBytesAsync(copied, bytes);

        using MessageArchive archive = await OpenAsync();

        ArchivedMessage row = Assert.Single(archive.Index.AllMessages());
        Assert.Equal("1234567890.abc.otherhost", row.File);
        Assert.Equal(Sha(bytes), row.Sha256);
        Assert.Equal("m7@example.org", row.Metadata.MessageId);
        Assert.Equal(ReceivedInHeader, row.Metadata.ReceivedAt);
    }

    [Fact]
    public async Task A_foreign_file_named_with_a_millisecond_timestamp_does_not_stop_the_archive_from_opening()
    {
        (await OpenAsync()).Dispose();
        await File.WriteAllBytesAsync(Path.Combine(Layout.Cur, "1764150000123.eml"), TestMessages.Simple(8, "m8@example.org"));

        using MessageArchive archive = await OpenAsync();

        Assert.Equal("1764150000123.eml", Assert.Single(archive.Index.AllMessages()).File);
    }

    [Fact]
    public async Task Files_of_a_batch_that_failed_after_reaching_cur_are_catalogued_by_the_next_open_even_after_later_commits()
    {
        byte[] lost = TestMessages.Simple(9, "m9@example.org");
        byte[] later = TestMessages.Simple(10, "m10@example.org");
        using (MessageArchive archive = await OpenAsync())
        {
            StagedMessage staged = await archive.Writer.StageAsync(new MemoryStream(lost), null, CancellationToken.None);
            ArchiveBatch failed = archive.BeginBatch();
            failed.Add(staged, "imap://u@h:993", "INBOX", 1, "9");
            failed.Publish();  // the file is durable in cur/ ...
            failed.Abandon();  // ... and then the index commit never happened

            // A later batch commits, and with it a stamp of cur/ that already includes the orphaned file.
            await CommitAsync(archive, later, serverId: "10");
        }

        using MessageArchive reopened = await OpenAsync();

        Assert.Equal(new[] { Sha(lost), Sha(later) }.Order(StringComparer.Ordinal), reopened.Index.AllMessages().Select(m => m.Sha256).Order(StringComparer.Ordinal));
    }

    private Task<MessageArchive> OpenAsync() => MessageArchive.OpenAsync(Root, ArchiveAccess.ReadWrite, clock, CancellationToken.None);

    private static async Task CommitAsync(MessageArchive archive, byte[] bytes, DateTimeOffset? internalDate = null, string serverId = "7")
    {
        StagedMessage staged = await archive.Writer.StageAsync(new MemoryStream(bytes), internalDate, CancellationToken.None);
        ArchiveBatch batch = archive.BeginBatch();
        batch.Add(staged, "imap://u@h:993", "INBOX", 1, serverId);
        batch.Commit();
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
