using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay.Targets;

public sealed class EmlTargetTests : IDisposable
{
    private readonly TempDirectory dir = new();

    private string Target => dir.Sub("out/eml");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Each_message_is_a_byte_exact_eml_and_the_names_sort_by_received_time()
    {
        // Delivered newest first, so only the names can put them in order.
        byte[] late = TestMessages.Simple(1, "late@example.org", received: "Fri, 27 Nov 2026 09:00:00 +0100");
        byte[] early = TestMessages.Simple(2, "early@example.org", received: "Thu, 26 Nov 2026 23:30:05 -0500");
        byte[] earliest = TestMessages.Simple(3, "earliest@example.org", received: "Thu, 26 Nov 2026 10:00:00 +0000");
        var items = new List<ReplayItem>();
        foreach (byte[] bytes in new[] { late, early, earliest })
            items.Add(await ItemAsync(bytes));

        await using (var target = new EmlTarget(Target))
        {
            await target.OpenAsync(CancellationToken.None);
            foreach (ReplayItem item in items)
                await target.DeliverAsync(item, CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        string[] names = Directory.GetFiles(Target).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(
            [$"20261126T100000Z-{items[2].Message.Sha256[..12]}.eml", $"20261127T043005Z-{items[1].Message.Sha256[..12]}.eml", $"20261127T080000Z-{items[0].Message.Sha256[..12]}.eml"],
            names);
        Assert.Equal(earliest, await File.ReadAllBytesAsync(Path.Combine(Target, names[0])));
        Assert.Equal(early, await File.ReadAllBytesAsync(Path.Combine(Target, names[1])));
        Assert.Equal(late, await File.ReadAllBytesAsync(Path.Combine(Target, names[2])));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Target, names[0])));
    }

    [Fact]
    public async Task A_delivered_message_is_present_in_the_next_run_and_a_hidden_leftover_tmp_is_not()
    {
        ReplayItem first = await ItemAsync(TestMessages.Simple(1, "m1@example.org"));
        ReplayItem second = await ItemAsync(TestMessages.Simple(2, "m2@example.org"));
        await using (var target = new EmlTarget(Target))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(first, CancellationToken.None);
        }

        // What a run killed between write and rename leaves.
        await File.WriteAllTextAsync(Path.Combine(Target, $".{EmlTarget.FileNameOf(second)}.tmp"), "torn");

        await using var again = new EmlTarget(Target);
        await again.OpenAsync(CancellationToken.None);
        Assert.Null(again.Checkpoint(first));
        Assert.Equal(Presence.Present, await again.CheckAsync(first, null, CancellationToken.None));
        Assert.Equal(Presence.Absent, await again.CheckAsync(second, "x", CancellationToken.None));
        await again.DeliverAsync(second, CancellationToken.None);
        Assert.Equal(Presence.Present, await again.CheckAsync(second, null, CancellationToken.None));
        Assert.All(Directory.GetFiles(Target), f => Assert.EndsWith(".eml", f, StringComparison.Ordinal));
        Assert.Equal(2, Directory.GetFiles(Target).Length);
    }

    private async Task<ReplayItem> ItemAsync(byte[] bytes)
    {
        Directory.CreateDirectory(dir.Sub("archive"));
        string path = Path.Combine(dir.Sub("archive"), $"{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(path, bytes);
        return new ReplayItem(await ArchiveCataloguer.CatalogueAsync(path, CancellationToken.None), path);
    }
}
