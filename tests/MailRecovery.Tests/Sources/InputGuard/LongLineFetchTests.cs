using System.Text;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources.InputGuard;
using MailRecovery.Tests.Fetch;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Sources.InputGuard;

/// <summary>Long lines inside a message are content, not a flood: they are archived byte for byte.</summary>
[Collection(TestBedCollection.Name)]
public sealed class LongLineFetchTests(TestBedFixture bed)
{
    [Fact]
    public async Task Messages_with_a_2_MB_and_a_20_MiB_line_are_archived_byte_exact_over_IMAP()
    {
        string user = TestBedFixture.NewUser("longline");
        byte[] Message(string name, int length) => Encoding.ASCII.GetBytes(
            $"From: sender@example.org\r\nTo: copy@example.org\r\nSubject: {name}\r\nMessage-ID: <{name}.{user}@example.org>\r\n"
            + $"Date: Mon, 16 Nov 2026 10:00:00 +0000\r\n\r\n{new string('x', length)}\r\nend\r\n");
        byte[] two = Message("two", 2 * 1024 * 1024);
        byte[] twenty = Message("twenty", ServerInputGuard.MaxLineBytes + (4 * 1024 * 1024)); // longer than the guard's limit
        await bed.LoadAsync(user, [two, twenty]);
        using var dir = new TempDirectory();

        FetchReport report = await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps(user)));

        Assert.Equal(2, report.Fetched);
        Assert.Equal(new[] { FetchImapTests.Sha(two), FetchImapTests.Sha(twenty) }.Order(), ArchiveSnapshot.Take(dir.Path).FileHashes.Order());
    }
}
