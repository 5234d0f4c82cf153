using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Archive;

/// <summary>
/// Issue 10: a symbolic link in the archive's cur/ (here to a stand-in for /etc/shadow, made to look like mail)
/// is never indexed, read or replayed, and <c>archive verify</c> flags it.
/// </summary>
public sealed class PlantedLinkArchiveTests : IDisposable
{
    private static readonly byte[] Secret = "From: root@example.org\r\nSubject: shadow\r\nMessage-ID: <shadow@example.org>\r\n\r\nroot:secret-hash:19000\r\n"u8.ToArray();
    private readonly TempDirectory dir = new();

    private string Root => dir.Sub("archive");

    private string Victim => dir.Sub("shadow");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Reindex_skips_a_link_in_cur_and_verify_flags_it()
    {
        await ArchiveAsync(2);
        await File.WriteAllBytesAsync(Victim, Secret);
        var layout = new ArchiveLayout(Root);
        File.CreateSymbolicLink(Path.Combine(layout.Cur, "1700000000.planted.host:2,"), Victim);
        File.CreateSymbolicLink(Path.Combine(layout.New, "1700000001.planted.host"), Victim);

        var reindex = await CliRunner.RunAsync("archive", "reindex", "--archive", Root);
        var verify = await CliRunner.RunAsync("archive", "verify", "--archive", Root, "--json");

        Assert.Equal(0, reindex.ExitCode);
        using (MessageArchive archive = await MessageArchive.OpenAsync(Root, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None))
        {
            Assert.Equal(2, archive.Index.AllMessages().Count());
            Assert.DoesNotContain(archive.Index.AllMessages(), m => m.Metadata.MessageId == "shadow@example.org");
        }

        Assert.NotEqual(0, verify.ExitCode);
        Assert.Contains("not-regular-file", verify.Out, StringComparison.Ordinal);
        Assert.Contains("1700000000.planted.host", verify.Out, StringComparison.Ordinal);
        Assert.Contains("1700000001.planted.host", verify.Out, StringComparison.Ordinal);
        Assert.Equal(Secret, await File.ReadAllBytesAsync(Victim));
    }

    [Fact]
    public async Task An_archived_file_replaced_by_a_link_is_not_replayed_and_verify_flags_it()
    {
        await ArchiveAsync(2);
        await File.WriteAllBytesAsync(Victim, Secret);
        string replaced = Directory.GetFiles(new ArchiveLayout(Root).Cur).Order(StringComparer.Ordinal).First();
        File.Delete(replaced);
        File.CreateSymbolicLink(replaced, Victim);
        string target = dir.Sub("out");

        var replay = await CliRunner.RunAsync("replay", "--archive", Root, "--since", "2000-01-01T00:00Z", "--to", $"eml:{target}", "--yes");
        var verify = await CliRunner.RunAsync("archive", "verify", "--archive", Root);

        Assert.Equal(1, replay.ExitCode);
        string[] delivered = Directory.GetFiles(target);
        string only = Assert.Single(delivered);
        Assert.Null(new FileInfo(only).LinkTarget);
        Assert.DoesNotContain("secret-hash", await File.ReadAllTextAsync(only), StringComparison.Ordinal);
        Assert.NotEqual(0, verify.ExitCode);
        Assert.Contains("not-regular-file", verify.Out + verify.Error, StringComparison.Ordinal);
        Assert.Contains("missing-file", verify.Out + verify.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_archived_message_is_never_opened_through_a_link()
    {
        await ArchiveAsync(1);
        await File.WriteAllBytesAsync(Victim, Secret);
        string link = dir.Sub("link.eml");
        File.CreateSymbolicLink(link, Victim);

        await Assert.ThrowsAnyAsync<IOException>(() => ArchiveCataloguer.CatalogueAsync(link, CancellationToken.None));
        await Assert.ThrowsAnyAsync<IOException>(() => MessageFingerprint.ComputeAsync(link, CancellationToken.None));
    }

    private async Task ArchiveAsync(int count)
    {
        using MessageArchive archive = await MessageArchive.OpenAsync(Root, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        ArchiveBatch batch = archive.BeginBatch();
        for (int i = 0; i < count; i++)
            batch.Add(await archive.Writer.StageAsync(new MemoryStream(TestMessages.Simple(i, $"v{i}@example.org")), null, CancellationToken.None), "imap://u@h:993", "INBOX", 1, $"{i + 1}", null);
        batch.Commit();
    }
}
