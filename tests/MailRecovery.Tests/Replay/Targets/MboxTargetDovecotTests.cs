using System.Text;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay.Targets;

/// <summary>The mbox read by a real Dovecot (the bed's), as an admin would open a restored mbox.</summary>
[Collection(TestBedCollection.Name)]
public sealed class MboxTargetDovecotTests(TestBedFixture bed) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Dovecot_sees_every_message_with_its_subject_message_id_and_body()
    {
        string[] bodies =
        [
            "Body of message 1.\r\n",
            "Hello\r\nFrom the start of a line\r\n>From already quoted\r\nbye\r\n",
            "From the first body line\r\n",
        ];
        var items = new List<ReplayItem>();
        for (int i = 0; i < bodies.Length; i++)
            items.Add(await ItemAsync(TestMessages.Simple(i + 1, $"dovecot{i + 1}@example.org", body: bodies[i])));
        string mailDir = dir.Sub("mail");
        string mbox = Path.Combine(mailDir, "restored");
        await using (var target = new MboxTarget(mbox))
        {
            await target.OpenAsync(CancellationToken.None);
            foreach (ReplayItem item in items)
                await target.DeliverAsync(item, CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        // Dovecot runs as the bed's "mail" user and writes its own headers (X-UID, Status) into the mbox.
        await TestBedFixture.RunAsync("chown", $"-R mail:mail {dir.Path}");
        string output = await TestBedFixture.RunAsync("doveadm",
            $"-c {bed.DovecotConf} -o mail_location=mbox:{mailDir}:INBOX={mbox}:INDEX=MEMORY fetch -u {TestBedFixture.NewUser("mbox")} \"hdr.message-id hdr.subject body\" all");

        string[] records = output.Split("\f\n");
        Assert.Equal(bodies.Length, records.Length);
        for (int i = 0; i < bodies.Length; i++)
        {
            Assert.Contains($"hdr.message-id: <dovecot{i + 1}@example.org>\n", records[i], StringComparison.Ordinal);
            Assert.Contains($"hdr.subject: test message {i + 1}\n", records[i], StringComparison.Ordinal);
        }

        Assert.Equal(bodies, records.Select(r => r[(r.IndexOf("body:\n", StringComparison.Ordinal) + 6)..]).Select(Unquote).ToArray());
    }

    private static string Unquote(string body) => Encoding.ASCII.GetString(MboxTargetTests.Unquote(Encoding.ASCII.GetBytes(body)));

    private async Task<ReplayItem> ItemAsync(byte[] bytes)
    {
        Directory.CreateDirectory(dir.Sub("archive"));
        string path = Path.Combine(dir.Sub("archive"), $"{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(path, bytes);
        return new ReplayItem(await ArchiveCataloguer.CatalogueAsync(path, CancellationToken.None), path);
    }
}
