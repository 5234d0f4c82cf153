using System.Diagnostics;
using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using MailRecovery.Tests.TestBed;
using Xunit.Abstractions;

namespace MailRecovery.Tests.Replay;

/// <summary><see cref="ImapPresence"/> on a real Dovecot mailbox: identity, and what it costs.</summary>
[Collection(TestBedCollection.Name)]
public sealed class ImapPresenceTests(TestBedFixture bed, ITestOutputHelper output)
{
    [Fact]
    public async Task Only_candidates_with_the_same_Message_ID_are_read_whole_and_alias_copies_are_found()
    {
        const int Archived = 100, Waiting = 50, Unrelated = 450;
        string copy = TestBedFixture.NewUser("pc"), target = TestBedFixture.NewUser("pt");
        byte[][] archived = Enumerable.Range(0, Archived).Select(i => TestMessages.Simple(i, $"p{i}.{copy}@example.org")).ToArray();
        await bed.LoadAsync(copy, archived);

        // The target holds alias copies of the first 50 (another trace on top, so other bytes and sizes) and 450 others.
        byte[] trace = Encoding.ASCII.GetBytes($"Delivered-To: {target}@example.test\r\nReceived: from mx by imap for <{target}@example.test>; Thu, 26 Nov 2026 10:00:01 +0000\r\n");
        var inTarget = archived.Take(Waiting).Select(m => trace.Concat(m).ToArray())
            .Concat(Enumerable.Range(0, Unrelated).Select(i => TestMessages.Simple(1000 + i, $"other{i}.{target}@example.org")));
        await bed.LoadAsync(target, inTarget);
        using var dir = new TempDirectory();
        await Fetcher.RunAsync(dir.Path, Fetcher.Account(bed, bed.Imaps(copy)));
        var layout = new ArchiveLayout(dir.Path);
        List<ReplayItem> items;
        using (ArchiveIndex index = ArchiveIndex.Open(layout.IndexPath, readOnly: true))
            items = index.AllMessages().Select(m => new ReplayItem(m, layout.Resolve(m.File)!)).ToList();

        using var client = new ImapClient { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync("127.0.0.1", bed.ImapsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(target, bed.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var presence = new ImapPresence();
        var watch = Stopwatch.StartNew();
        await presence.LoadAsync(client.Inbox, CancellationToken.None);
        TimeSpan listing = watch.Elapsed;
        int found = 0;
        foreach (ReplayItem item in items)
            found += (await presence.FindAsync(client.Inbox, item, CancellationToken.None)).Count;
        output.WriteLine($"listing {presence.Listed} messages: {listing.TotalMilliseconds:0} ms; {items.Count} look-ups: {(watch.Elapsed - listing).TotalMilliseconds:0} ms, {presence.BodiesRead} bodies read");

        Assert.Equal(Waiting + Unrelated, presence.Listed);
        Assert.Equal(Waiting, found);
        Assert.Equal(Waiting, presence.BodiesRead); // the candidates only, each once
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Empty(await client.Inbox.SearchAsync(MailKit.Search.SearchQuery.Seen)); // BODY.PEEK, EXAMINE: nothing seen
    }
}
