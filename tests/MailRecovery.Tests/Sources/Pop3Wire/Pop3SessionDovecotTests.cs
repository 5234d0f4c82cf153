using MailRecovery.Core.Sources.Pop3Wire;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Sources.Pop3Wire;

/// <summary><see cref="Pop3Session"/>'s RETR and DELE against the real Dovecot of the test bed.</summary>
[Collection(TestBedCollection.Name)]
public sealed class Pop3SessionDovecotTests(TestBedFixture bed)
{
    [Fact]
    public async Task DELE_becomes_final_only_at_QUIT_and_a_session_closed_without_QUIT_deletes_nothing()
    {
        string user = TestBedFixture.NewUser("dq");
        await bed.LoadAsync(user, Enumerable.Range(0, 3).Select(i => TestMessages.Simple(i, $"dq{i}@example.org")));

        await using (Pop3Session broken = await LoggedInAsync(user))
        {
            await broken.DeleteAsync([1, 2, 3], 10, CancellationToken.None);
        } // closed without QUIT, as a crashed pass would leave it

        int afterBroken = bed.CountMessages(user);
        await using (Pop3Session committed = await LoggedInAsync(user))
        {
            await committed.DeleteAsync([1, 3], 10, CancellationToken.None);
            await committed.QuitAsync(CancellationToken.None);
        }

        Assert.Equal(3, afterBroken);
        Assert.Equal(1, bed.CountMessages(user));
    }

    [Fact]
    public async Task RETR_streams_each_message_byte_exact_in_the_order_asked()
    {
        string user = TestBedFixture.NewUser("rt");
        byte[][] messages = [TestMessages.Simple(1, "rt1@example.org", body: ".a dot first\r\n..two dots\r\n.\r\nend\r\n"), TestMessages.Simple(2, "rt2@example.org")];
        await bed.LoadAsync(user, messages);
        var read = new List<(int, string)>();

        await using (Pop3Session session = await LoggedInAsync(user))
        {
            await session.RetrieveAsync([2, 1], 10, async (n, stream, ct) =>
            {
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy, ct);
                read.Add((n, FetchImapSha(copy.ToArray())));
            }, CancellationToken.None);
            await session.QuitAsync(CancellationToken.None);
        }

        Assert.Equal([(2, FetchImapSha(messages[1])), (1, FetchImapSha(messages[0]))], read);
    }

    private static string FetchImapSha(byte[] bytes) => Fetch.FetchImapTests.Sha(bytes);

    private async Task<Pop3Session> LoggedInAsync(string user)
    {
        var session = new Pop3Session();
        await session.ConnectAsync("127.0.0.1", bed.Pop3sPort, Core.Sources.TlsMode.Implicit, bed.Trust, CancellationToken.None);
        await session.LoginAsync(user, bed.Password, CancellationToken.None);
        return session;
    }
}
