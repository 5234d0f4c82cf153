using System.IO.Compression;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay.Targets;

public sealed class EmlZipTargetTests : IDisposable
{
    private readonly TempDirectory dir = new();

    private string Zip => dir.Sub("out/restored.zip");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Entries_read_back_byte_exact_under_the_eml_names()
    {
        byte[] small = TestMessages.Simple(1, "m1@example.org");
        byte[] large = TestMessages.Large(300_000, "big@example.org");
        ReplayItem a = await ItemAsync(small);
        ReplayItem b = await ItemAsync(large);

        await RunAsync(a, b);

        Dictionary<string, byte[]> entries = await ReadZipAsync();
        Assert.Equal(small, entries[EmlTarget.FileNameOf(a)]);
        Assert.Equal(large, entries[EmlTarget.FileNameOf(b)]);
        Assert.Equal(2, entries.Count);
        Assert.False(File.Exists(Zip + ".partial"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Zip));
    }

    [Fact]
    public async Task A_second_run_appends_and_finds_the_first_runs_messages_present()
    {
        ReplayItem a = await ItemAsync(TestMessages.Simple(1, "m1@example.org"));
        ReplayItem b = await ItemAsync(TestMessages.Simple(2, "m2@example.org"));
        ReplayItem c = await ItemAsync(TestMessages.Simple(3, "m3@example.org"));
        await RunAsync(a, b);

        await using (var target = new EmlZipTarget(Zip))
        {
            await target.OpenAsync(CancellationToken.None);
            Assert.Equal(Presence.Present, await target.CheckAsync(a, null, CancellationToken.None));
            Assert.Equal(Presence.Present, await target.CheckAsync(b, null, CancellationToken.None));
            Assert.Equal(Presence.Absent, await target.CheckAsync(c, null, CancellationToken.None));
            await target.DeliverAsync(c, CancellationToken.None);
            Assert.Equal(Presence.Present, await target.CheckAsync(c, null, CancellationToken.None));
            await target.CompleteAsync(CancellationToken.None);
        }

        Dictionary<string, byte[]> entries = await ReadZipAsync();
        Assert.Equal(3, entries.Count);
        foreach (ReplayItem item in new[] { a, b, c })
            Assert.Equal(await File.ReadAllBytesAsync(item.Path), entries[EmlTarget.FileNameOf(item)]);
    }

    [Fact]
    public async Task A_run_that_finds_nothing_new_leaves_the_zip_untouched()
    {
        ReplayItem a = await ItemAsync(TestMessages.Simple(1, "m1@example.org"));
        await RunAsync(a);
        byte[] before = await File.ReadAllBytesAsync(Zip);
        DateTime mtime = File.GetLastWriteTimeUtc(Zip);

        await RunAsync(a);

        Assert.Equal(before, await File.ReadAllBytesAsync(Zip));
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(Zip));
    }

    [Fact]
    public async Task A_run_that_delivers_nothing_still_leaves_an_empty_zip()
    {
        await RunAsync();

        Assert.Empty(await ReadZipAsync());
    }

    [Fact]
    public async Task A_run_disposed_without_complete_changes_nothing_and_its_messages_are_absent_next_time()
    {
        ReplayItem a = await ItemAsync(TestMessages.Simple(1, "m1@example.org"));
        ReplayItem b = await ItemAsync(TestMessages.Simple(2, "m2@example.org"));
        await RunAsync(a);
        byte[] before = await File.ReadAllBytesAsync(Zip);

        await using (var target = new EmlZipTarget(Zip))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(b, CancellationToken.None);
            Assert.True(File.Exists(target.PartialPath));
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(Zip));
        Assert.False(File.Exists(Zip + ".partial"));
        await using var next = new EmlZipTarget(Zip);
        await next.OpenAsync(CancellationToken.None);
        Assert.Equal(Presence.Absent, await next.CheckAsync(b, null, CancellationToken.None));
    }

    [Fact]
    public async Task The_partial_zip_of_a_killed_run_is_discarded_by_the_next_open()
    {
        ReplayItem a = await ItemAsync(TestMessages.Simple(1, "m1@example.org"));
        ReplayItem b = await ItemAsync(TestMessages.Simple(2, "m2@example.org"));
        await RunAsync(a);
        byte[] before = await File.ReadAllBytesAsync(Zip);

        // What SIGKILL mid-run leaves: the final zip as it was, and a partial cut off mid-entry (made here
        // from a whole zip of the same entries, since the target holds its partial open exclusively).
        string scratch = dir.Sub("out/scratch.zip");
        await using (var other = new EmlZipTarget(scratch))
        {
            await other.OpenAsync(CancellationToken.None);
            await other.DeliverAsync(a, CancellationToken.None);
            await other.DeliverAsync(b, CancellationToken.None);
            await other.CompleteAsync(CancellationToken.None);
        }

        byte[] partial = await File.ReadAllBytesAsync(scratch);
        await File.WriteAllBytesAsync(Zip + ".partial", partial[..(partial.Length / 2)]);
        Assert.Equal(before, await File.ReadAllBytesAsync(Zip));

        await using (var next = new EmlZipTarget(Zip))
        {
            await next.OpenAsync(CancellationToken.None);
            Assert.False(File.Exists(next.PartialPath));
            Assert.Equal(Presence.Present, await next.CheckAsync(a, null, CancellationToken.None));
            Assert.Equal(Presence.Absent, await next.CheckAsync(b, "x", CancellationToken.None));
            await next.DeliverAsync(b, CancellationToken.None);
            await next.CompleteAsync(CancellationToken.None);
        }

        Dictionary<string, byte[]> entries = await ReadZipAsync();
        Assert.Equal(2, entries.Count);
        Assert.Equal(await File.ReadAllBytesAsync(b.Path), entries[EmlTarget.FileNameOf(b)]);
    }

    [Fact]
    public async Task A_file_that_is_not_a_zip_is_refused_and_left_alone()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Zip)!);
        await File.WriteAllTextAsync(Zip, "not a zip");

        await using var target = new EmlZipTarget(Zip);
        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => target.OpenAsync(CancellationToken.None));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal("not a zip", await File.ReadAllTextAsync(Zip));
    }

    private async Task RunAsync(params ReplayItem[] items)
    {
        await using var target = new EmlZipTarget(Zip);
        await target.OpenAsync(CancellationToken.None);
        foreach (ReplayItem item in items)
        {
            if (await target.CheckAsync(item, null, CancellationToken.None) == Presence.Absent)
                await target.DeliverAsync(item, CancellationToken.None);
        }

        await target.CompleteAsync(CancellationToken.None);
    }

    private async Task<Dictionary<string, byte[]>> ReadZipAsync()
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using ZipArchive zip = ZipFile.OpenRead(Zip);
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            using var content = new MemoryStream();
            await using (Stream s = entry.Open())
                await s.CopyToAsync(content);
            entries.Add(entry.FullName, content.ToArray());
        }

        return entries;
    }

    private async Task<ReplayItem> ItemAsync(byte[] bytes)
    {
        Directory.CreateDirectory(dir.Sub("archive"));
        string path = Path.Combine(dir.Sub("archive"), $"{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(path, bytes);
        return new ReplayItem(await ArchiveCataloguer.CatalogueAsync(path, CancellationToken.None), path);
    }
}
