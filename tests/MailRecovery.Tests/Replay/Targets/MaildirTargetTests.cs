using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay.Targets;

public sealed class MaildirTargetTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly TempDirectory dir = new();

    private string Target => dir.Sub("restore/Maildir");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_delivered_message_is_a_byte_exact_unread_file_in_new_named_by_time_and_hash()
    {
        byte[] bytes = TestMessages.Simple(1, "m1@example.org", received: "Thu, 26 Nov 2026 10:00:00 +0000");
        ReplayItem item = await ItemAsync(bytes);

        await using (var target = new MaildirTarget(Target))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(item, CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        string file = Assert.Single(Directory.GetFiles(Path.Combine(Target, "new")));
        Assert.Equal($"1795687200.MR{item.Message.Sha256[..20]}.mailrecovery,S={bytes.Length}", Path.GetFileName(file));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file));
        Assert.Equal(new DateTime(2026, 11, 26, 10, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Empty(Directory.GetFiles(Path.Combine(Target, "tmp")));
        Assert.Empty(Directory.GetFiles(Path.Combine(Target, "cur")));
        foreach (string d in new[] { Target, Path.Combine(Target, "cur"), Path.Combine(Target, "new"), Path.Combine(Target, "tmp") })
            Assert.Equal(Private, File.GetUnixFileMode(d));
    }

    [Fact]
    public async Task A_second_run_finds_the_message_even_after_a_reader_moved_it_to_cur_with_flags()
    {
        ReplayItem first = await ItemAsync(TestMessages.Simple(1, "m1@example.org"));
        ReplayItem second = await ItemAsync(TestMessages.Simple(2, "m2@example.org"));
        await using (var target = new MaildirTarget(Target))
        {
            await target.OpenAsync(CancellationToken.None);
            Assert.Equal(Presence.Absent, await target.CheckAsync(first, null, CancellationToken.None));
            await target.DeliverAsync(first, CancellationToken.None);
            Assert.Equal(Presence.Present, await target.CheckAsync(first, null, CancellationToken.None));
            Assert.Equal(Presence.Absent, await target.CheckAsync(second, null, CancellationToken.None));
        }

        // What mutt or Dovecot does when the message is read.
        string delivered = Assert.Single(Directory.GetFiles(Path.Combine(Target, "new")));
        File.Move(delivered, Path.Combine(Target, "cur", Path.GetFileName(delivered) + ":2,S"));

        await using var again = new MaildirTarget(Target);
        await again.OpenAsync(CancellationToken.None);
        Assert.Equal(Presence.Present, await again.CheckAsync(first, null, CancellationToken.None));
        Assert.Equal(Presence.Present, await again.CheckAsync(first, "anything", CancellationToken.None));
        Assert.Equal(Presence.Absent, await again.CheckAsync(second, null, CancellationToken.None));
        Assert.Null(again.Checkpoint(first));
    }

    [Fact]
    public async Task A_torn_delivery_left_in_tmp_is_not_present_and_is_replaced_by_the_next_delivery()
    {
        byte[] bytes = TestMessages.Simple(3, "m3@example.org");
        ReplayItem item = await ItemAsync(bytes);
        await using var target = new MaildirTarget(Target);
        await target.OpenAsync(CancellationToken.None);
        await File.WriteAllBytesAsync(Path.Combine(Target, "tmp", MaildirTarget.FileNameOf(item)), bytes[..10]);

        Assert.Equal(Presence.Absent, await target.CheckAsync(item, null, CancellationToken.None));
        await target.DeliverAsync(item, CancellationToken.None);

        Assert.Empty(Directory.GetFiles(Path.Combine(Target, "tmp")));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Assert.Single(Directory.GetFiles(Path.Combine(Target, "new")))));
    }

    [Fact]
    public async Task An_existing_maildir_keeps_its_messages_and_the_journal_key_is_the_full_path()
    {
        Directory.CreateDirectory(Path.Combine(Target, "cur"));
        Directory.CreateDirectory(Path.Combine(Target, "new"));
        Directory.CreateDirectory(Path.Combine(Target, "tmp"));
        await File.WriteAllTextAsync(Path.Combine(Target, "cur", "1.M1P1.host:2,S"), "Subject: old\r\n\r\nold\r\n");
        ReplayItem item = await ItemAsync(TestMessages.Simple(4));

        await using var target = new MaildirTarget(Target);
        await target.OpenAsync(CancellationToken.None);
        await target.DeliverAsync(item, CancellationToken.None);

        Assert.Single(Directory.GetFiles(Path.Combine(Target, "cur")));
        Assert.Single(Directory.GetFiles(Path.Combine(Target, "new")));
        Assert.Equal($"maildir:{Path.GetFullPath(Target)}", target.JournalKey);
    }

    private async Task<ReplayItem> ItemAsync(byte[] bytes)
    {
        Directory.CreateDirectory(dir.Sub("archive"));
        string path = Path.Combine(dir.Sub("archive"), $"{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(path, bytes);
        return new ReplayItem(await ArchiveCataloguer.CatalogueAsync(path, CancellationToken.None), path);
    }
}
