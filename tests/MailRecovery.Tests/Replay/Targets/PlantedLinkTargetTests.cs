using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay.Targets;

/// <summary>
/// Issue 10: a replay runs as root into directories others may write to. A symbolic link planted where a file
/// target writes must never be written through, and every delivered file must be a regular file.
/// </summary>
public sealed class PlantedLinkTargetTests : IDisposable
{
    private static readonly byte[] VictimBytes = "root:secret-hash:19000:0:99999:7:::\n"u8.ToArray();
    private readonly TempDirectory dir = new();

    public PlantedLinkTargetTests()
    {
        Directory.CreateDirectory(dir.Sub("etc"));
        File.WriteAllBytes(Victim, VictimBytes);
    }

    private string Victim => dir.Sub("etc/shadow");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Eml_a_link_at_the_old_temporary_name_is_not_written_through()
    {
        string target = dir.Sub("eml");
        Directory.CreateDirectory(target);
        ReplayItem item = await ItemAsync(1);
        string name = EmlTarget.FileNameOf(item);
        File.CreateSymbolicLink(Path.Combine(target, $".{name}.tmp"), Victim);

        await using (var eml = new EmlTarget(target))
        {
            await eml.OpenAsync(CancellationToken.None);
            await eml.DeliverAsync(item, CancellationToken.None);
        }

        AssertVictimUntouched();
        string delivered = Path.Combine(target, name);
        AssertRegular(delivered);
        Assert.Equal(await File.ReadAllBytesAsync(item.Path), await File.ReadAllBytesAsync(delivered));
    }

    [Fact]
    public async Task Eml_a_link_at_the_final_name_is_not_a_delivery_and_is_refused()
    {
        string target = dir.Sub("eml");
        Directory.CreateDirectory(target);
        ReplayItem item = await ItemAsync(1);
        string final = Path.Combine(target, EmlTarget.FileNameOf(item));
        File.CreateSymbolicLink(final, Victim);

        await using var eml = new EmlTarget(target);
        await eml.OpenAsync(CancellationToken.None);
        Assert.Equal(Presence.Absent, await eml.CheckAsync(item, null, CancellationToken.None));
        var e = await Assert.ThrowsAsync<DeliveryException>(() => eml.DeliverAsync(item, CancellationToken.None));

        Assert.Equal(DeliveryOutcome.Failed, e.Outcome);
        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        AssertVictimUntouched();
        Assert.Equal(Victim, new FileInfo(final).LinkTarget);
        Assert.Single(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public async Task Maildir_links_at_the_old_tmp_name_and_in_new_are_not_written_through()
    {
        string target = dir.Sub("maildir");
        foreach (string sub in new[] { "cur", "new", "tmp" })
            Directory.CreateDirectory(Path.Combine(target, sub));
        ReplayItem first = await ItemAsync(1);
        ReplayItem second = await ItemAsync(2);
        File.CreateSymbolicLink(Path.Combine(target, "tmp", MaildirTarget.FileNameOf(first)), Victim);
        File.CreateSymbolicLink(Path.Combine(target, "new", MaildirTarget.FileNameOf(second)), Victim);

        await using var maildir = new MaildirTarget(target);
        await maildir.OpenAsync(CancellationToken.None);
        await maildir.DeliverAsync(first, CancellationToken.None);
        Assert.Equal(Presence.Absent, await maildir.CheckAsync(second, null, CancellationToken.None));
        var e = await Assert.ThrowsAsync<DeliveryException>(() => maildir.DeliverAsync(second, CancellationToken.None));

        Assert.Equal(DeliveryOutcome.Failed, e.Outcome);
        AssertVictimUntouched();
        string delivered = Path.Combine(target, "new", MaildirTarget.FileNameOf(first));
        AssertRegular(delivered);
        Assert.Equal(await File.ReadAllBytesAsync(first.Path), await File.ReadAllBytesAsync(delivered));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(target, "tmp")));
    }

    [Fact]
    public async Task Mbox_a_link_at_the_file_name_is_refused_and_nothing_is_appended_through_it()
    {
        string mbox = dir.Sub("out.mbox");
        string dangling = dir.Sub("etc/created-by-root");
        File.CreateSymbolicLink(mbox, Victim);
        File.CreateSymbolicLink(dir.Sub("dangling.mbox"), dangling);

        foreach (string path in new[] { mbox, dir.Sub("dangling.mbox") })
        {
            await using var target = new MboxTarget(path);
            var e = await Assert.ThrowsAsync<MailRecoveryException>(() => target.OpenAsync(CancellationToken.None));
            Assert.Equal(FailureKind.Usage, e.Kind);
            Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        }

        AssertVictimUntouched();
        Assert.False(File.Exists(dangling));
    }

    [Fact]
    public async Task Mbox_a_new_file_is_private_and_an_existing_one_others_can_read_is_refused_with_chmod_600()
    {
        string fresh = dir.Sub("new/fresh.mbox");
        await using (var target = new MboxTarget(fresh))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(1), CancellationToken.None);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fresh));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir.Sub("new")));

        foreach (UnixFileMode open in new[] { UnixFileMode.OtherRead, UnixFileMode.GroupRead })
        {
            File.SetUnixFileMode(fresh, UnixFileMode.UserRead | UnixFileMode.UserWrite | open);
            long before = new FileInfo(fresh).Length;
            await using var target = new MboxTarget(fresh);
            var e = await Assert.ThrowsAsync<MailRecoveryException>(() => target.OpenAsync(CancellationToken.None));
            Assert.Equal(ExitCodes.Usage, ExitCodes.For(e));
            Assert.Equal($"chmod 600 {fresh}", e.Fix);
            Assert.Equal(before, new FileInfo(fresh).Length);
        }
    }

    [Fact]
    public async Task EmlZip_a_link_at_the_zip_or_partial_name_is_never_written_through()
    {
        string zip = dir.Sub("out.zip");
        File.CreateSymbolicLink(zip, Victim);
        await using (var target = new EmlZipTarget(zip))
        {
            var e = await Assert.ThrowsAsync<MailRecoveryException>(() => target.OpenAsync(CancellationToken.None));
            Assert.Equal(FailureKind.Usage, e.Kind);
        }

        File.Delete(zip);
        File.CreateSymbolicLink(zip + ".partial", Victim);
        await using (var target = new EmlZipTarget(zip))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(1), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        AssertVictimUntouched();
        AssertRegular(zip);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(zip));
    }

    private void AssertVictimUntouched()
    {
        Assert.Equal(VictimBytes, File.ReadAllBytes(Victim));
        Assert.Null(new FileInfo(Victim).LinkTarget);
    }

    private static void AssertRegular(string path)
    {
        var info = new FileInfo(path);
        Assert.True(info.Exists, path);
        Assert.Null(info.LinkTarget);
    }

    private async Task<ReplayItem> ItemAsync(int n)
    {
        Directory.CreateDirectory(dir.Sub("archive"));
        string path = Path.Combine(dir.Sub("archive"), $"{n}.eml");
        await File.WriteAllBytesAsync(path, TestMessages.Simple(n, $"m{n}@example.org"));
        return new ReplayItem(await ArchiveCataloguer.CatalogueAsync(path, CancellationToken.None), path);
    }
}
