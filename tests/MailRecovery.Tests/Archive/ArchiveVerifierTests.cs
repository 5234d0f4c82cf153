using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Archive;

public sealed class ArchiveVerifierTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_sound_archive_has_no_problems()
    {
        IReadOnlyList<byte[]> messages = await ArchiveAsync(3);

        VerifyReport report = await VerifyAsync();

        Assert.True(report.IsSound);
        Assert.Equal(3, report.Checked);
        Assert.Equal(messages.Sum(m => (long)m.Length), report.Bytes);
    }

    [Fact]
    public async Task A_byte_changed_in_place_is_a_hash_mismatch()
    {
        await ArchiveAsync(2);
        string path = FileOf(0);
        byte[] bytes = await File.ReadAllBytesAsync(path);
        bytes[^3] ^= 0x20;
        await File.WriteAllBytesAsync(path, bytes);

        ArchiveProblem problem = Assert.Single((await VerifyAsync()).Problems);

        Assert.Equal(new ArchiveProblem("hash-mismatch", BaseOf(path), problem.Detail), problem);
    }

    [Fact]
    public async Task A_file_of_another_length_is_a_size_mismatch()
    {
        await ArchiveAsync(2);
        string path = FileOf(1);
        await File.AppendAllTextAsync(path, "appended\r\n");

        ArchiveProblem problem = Assert.Single((await VerifyAsync()).Problems);

        Assert.Equal("size-mismatch", problem.Kind);
        Assert.Equal(BaseOf(path), problem.File);
    }

    [Fact]
    public async Task A_deleted_file_is_missing()
    {
        await ArchiveAsync(2);
        string path = FileOf(0);
        File.Delete(path);

        VerifyReport report = await VerifyAsync();

        ArchiveProblem problem = Assert.Single(report.Problems);
        Assert.Equal("missing-file", problem.Kind);
        Assert.Equal(BaseOf(path), problem.File);
        Assert.Equal(1, report.Checked);
    }

    [Fact]
    public async Task A_file_the_index_does_not_know_is_not_indexed()
    {
        await ArchiveAsync(1);
        await File.WriteAllBytesAsync(Path.Combine(new ArchiveLayout(dir.Path).New, "1700000000.foreign.host"), TestMessages.Simple(9));

        ArchiveProblem problem = Assert.Single((await VerifyAsync()).Problems);

        Assert.Equal(new ArchiveProblem("not-indexed", "1700000000.foreign.host", problem.Detail), problem);
    }

    [Fact]
    public async Task A_file_a_reader_flagged_or_moved_to_new_is_still_found()
    {
        await ArchiveAsync(2);
        var layout = new ArchiveLayout(dir.Path);
        File.Move(FileOf(0), FileOf(0) + "S");
        string other = FileOf(1);
        File.Move(other, Path.Combine(layout.New, BaseOf(other)));

        Assert.True((await VerifyAsync()).IsSound);
    }

    [Fact]
    public async Task An_empty_file_is_flagged_even_when_the_index_agrees_with_it()
    {
        // What an older release archived when a server answered a download without data.
        await ArchiveAsync(1, extra: []);

        VerifyReport report = await VerifyAsync();

        ArchiveProblem problem = Assert.Single(report.Problems);
        Assert.Equal("empty-file", problem.Kind);
        Assert.False(report.IsSound);
    }

    [Fact]
    public async Task A_file_of_another_size_than_the_server_announced_is_flagged()
    {
        IReadOnlyList<byte[]> messages = await ArchiveAsync(2, serverSize: (i, m) => i == 1 ? m.Length + 100 : m.Length);

        ArchiveProblem problem = Assert.Single((await VerifyAsync()).Problems);

        Assert.Equal("server-size-mismatch", problem.Kind);
        Assert.Contains($"{messages[1].Length} bytes archived", problem.Detail, StringComparison.Ordinal);
        Assert.Contains($"announced {messages[1].Length + 100} for message 2", problem.Detail, StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<byte[]>> ArchiveAsync(int count, byte[]? extra = null, Func<int, byte[], long?>? serverSize = null)
    {
        var messages = Enumerable.Range(0, count).Select(i => TestMessages.Simple(i, $"v{i}@example.org")).ToList();
        if (extra is not null)
            messages.Add(extra);
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        ArchiveBatch batch = archive.BeginBatch();
        for (int i = 0; i < messages.Count; i++)
            batch.Add(await archive.Writer.StageAsync(new MemoryStream(messages[i]), null, CancellationToken.None), "imap://u@h:993", "INBOX", 1, $"{i + 1}", serverSize?.Invoke(i, messages[i]));
        batch.Commit();
        return messages;
    }

    // Read-only, as the verb runs: a writer's open would catalogue unindexed files first.
    private async Task<VerifyReport> VerifyAsync()
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
        return await ArchiveVerifier.VerifyAsync(archive, null, CancellationToken.None);
    }

    private string FileOf(int i) => Directory.GetFiles(new ArchiveLayout(dir.Path).Cur).Order(StringComparer.Ordinal).ElementAt(i);

    private static string BaseOf(string path) => MaildirFileName.BaseOf(Path.GetFileName(path));
}
