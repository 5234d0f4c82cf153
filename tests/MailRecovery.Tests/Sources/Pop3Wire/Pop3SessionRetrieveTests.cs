using System.Text;
using MailKit.Net.Pop3;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Sources.Pop3Wire;
using MailRecovery.Tests.Replay.Targets;

namespace MailRecovery.Tests.Sources.Pop3Wire;

/// <summary>
/// The fetch path of <see cref="Pop3Session"/> (RETR, DELE, AUTH PLAIN, a server without UIDL) against a scripted
/// server that pipelines, refuses, cuts the connection or leaves commands out on cue.
/// </summary>
public sealed class Pop3SessionRetrieveTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task With_PIPELINING_the_RETRs_go_out_together_and_each_message_streams_in_order()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s, "USER\nUIDL\nPIPELINING");

            // The server answers only after all three commands arrived: a client that waited for each reply would hang.
            for (int n = 1; n <= 3; n++)
                Assert.Equal($"RETR {n}", await s.ReadLineAsync());
            for (int n = 1; n <= 3; n++)
                await s.SendRawAsync(Encoding.ASCII.GetBytes($"+OK\r\nSubject: {n}\r\n\r\n..body {n}\r\n.\r\n"));
            await s.ExpectAsync("QUIT", "+OK bye");
        });
        await using var session = await LoggedInAsync(server.Port);
        var read = new List<string>();

        await session.RetrieveAsync([1, 2, 3], 10, async (n, stream, ct) => read.Add($"{n}:{await ReadAllAsync(stream, ct)}"), CancellationToken.None).WaitAsync(Timeout);
        await session.QuitAsync(CancellationToken.None);
        await server.Completion.WaitAsync(Timeout);

        Assert.Equal(["1:Subject: 1\r\n\r\n.body 1\r\n", "2:Subject: 2\r\n\r\n.body 2\r\n", "3:Subject: 3\r\n\r\n.body 3\r\n"], read);
    }

    [Fact]
    public async Task Without_PIPELINING_each_RETR_waits_for_the_previous_message()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s, "USER\nUIDL");
            await s.ExpectAsync("RETR 1", "+OK\nSubject: 1\n\none\n.");
            await s.ExpectAsync("RETR 2", "+OK\nSubject: 2\n\ntwo\n.");
            await s.ExpectAsync("QUIT", "+OK bye");
        });
        await using var session = await LoggedInAsync(server.Port);
        var read = new List<int>();

        await session.RetrieveAsync([1, 2], 10, async (n, stream, ct) => { await ReadAllAsync(stream, ct); read.Add(n); }, CancellationToken.None).WaitAsync(Timeout);
        await session.QuitAsync(CancellationToken.None);
        await server.Completion.WaitAsync(Timeout);

        Assert.Equal([1, 2], read);
        Assert.Equal(["RETR 1", "RETR 2", "QUIT"], server.Received.Skip(3));
    }

    [Fact]
    public async Task An_ERR_to_one_RETR_of_a_group_is_thrown_after_the_others_were_read_and_the_session_goes_on()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s, "USER\nUIDL\nPIPELINING");
            for (int n = 1; n <= 3; n++)
                await s.ReadLineAsync();
            await s.SendAsync("+OK\nSubject: 1\n\none\n.\n-ERR no such message\n+OK\nSubject: 3\n\nthree\n.");
            await s.ExpectAsync("QUIT", "+OK bye");
        });
        await using var session = await LoggedInAsync(server.Port);
        var read = new List<int>();

        var error = await Assert.ThrowsAsync<Pop3CommandException>(() =>
            session.RetrieveAsync([1, 2, 3], 10, async (n, stream, ct) => { await ReadAllAsync(stream, ct); read.Add(n); }, CancellationToken.None).WaitAsync(Timeout));
        await session.QuitAsync(CancellationToken.None);
        await server.Completion.WaitAsync(Timeout);

        Assert.Equal([1, 3], read);
        Assert.Contains("RETR 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_the_reader_leaves_half_read_is_skipped_to_its_end()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s, "USER\nUIDL\nPIPELINING");
            await s.ReadLineAsync();
            await s.ReadLineAsync();
            await s.SendAsync("+OK\nSubject: 1\n\n" + string.Join('\n', Enumerable.Repeat("line of the first message", 5000)) + "\n.\n+OK\nSubject: 2\n\ntwo\n.");
            await s.ExpectAsync("QUIT", "+OK bye");
        });
        await using var session = await LoggedInAsync(server.Port);
        var read = new List<string>();

        await session.RetrieveAsync([1, 2], 10, async (n, stream, ct) =>
        {
            if (n == 2)
            {
                read.Add(await ReadAllAsync(stream, ct));
                return;
            }

            byte[] head = new byte[10];
            int got = await stream.ReadAsync(head, ct);
            read.Add(Encoding.ASCII.GetString(head, 0, got));
        }, CancellationToken.None).WaitAsync(Timeout);
        await session.QuitAsync(CancellationToken.None);
        await server.Completion.WaitAsync(Timeout);

        Assert.Equal(["Subject: 1", "Subject: 2\r\n\r\ntwo\r\n"], read);
    }

    [Fact]
    public async Task A_connection_dropped_mid_RETR_is_an_error_and_closes_the_session()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s, "USER\nUIDL\nPIPELINING");
            await s.ReadLineAsync();
            await s.SendRawAsync("+OK\r\nSubject: x\r\n\r\nthe first half of the body\r\nand then"u8.ToArray());
            s.HangUp();
        });
        await using var session = await LoggedInAsync(server.Port);
        bool completed = false;

        var error = await Assert.ThrowsAsync<Pop3ProtocolException>(() => session.RetrieveAsync([1], 10, async (n, stream, ct) =>
        {
            await ReadAllAsync(stream, ct);
            completed = true;
        }, CancellationToken.None).WaitAsync(Timeout));

        Assert.False(completed);
        Assert.Contains("in the middle of a message", error.Message, StringComparison.Ordinal);
        Assert.False(session.IsConnected);
    }

    [Fact]
    public async Task An_ERR_to_DELE_is_thrown_once_every_reply_is_read()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s, "USER\nUIDL\nPIPELINING");
            for (int n = 1; n <= 3; n++)
                Assert.Equal($"DELE {n}", await s.ReadLineAsync());
            await s.SendAsync("+OK marked\n-ERR message 2 already deleted\n+OK marked");
            await s.ExpectAsync("LIST", "+OK\n1 10\n3 30\n.");
            await s.DrainAsync();
        });
        await using var session = await LoggedInAsync(server.Port);

        var error = await Assert.ThrowsAsync<Pop3CommandException>(() => session.DeleteAsync([1, 2, 3], 10, CancellationToken.None).WaitAsync(Timeout));

        // In step: the next command gets its own reply, not the third DELE's.
        IReadOnlyDictionary<int, long> sizes = await session.ListSizesAsync(CancellationToken.None);
        Assert.Equal([1, 3], sizes.Keys);
        Assert.Contains("DELE 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("already deleted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_USER_on_offer_the_login_is_AUTH_PLAIN_with_an_initial_response()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("+OK ready");
            await s.ExpectAsync("CAPA", "+OK\nSASL PLAIN LOGIN\nUIDL\n.");
            await s.ExpectAsync("AUTH PLAIN", "+OK logged in");
            await s.ExpectAsync("QUIT", "+OK bye");
        });
        await using var session = await LoggedInAsync(server.Port);
        await session.QuitAsync(CancellationToken.None);
        await server.Completion.WaitAsync(Timeout);

        // RFC 4616: authzid (empty) NUL authcid NUL password, base64.
        Assert.Equal("AUTH PLAIN " + Convert.ToBase64String("\0helpdesk\0secret"u8.ToArray()), server.Received[1]);
        Assert.DoesNotContain(server.Received, l => l.StartsWith("USER", StringComparison.Ordinal) || l.StartsWith("PASS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_AUTH_PLAIN_is_an_authentication_failure()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("+OK ready");
            await s.ExpectAsync("CAPA", "+OK\nSASL PLAIN\n.");
            await s.ExpectAsync("AUTH PLAIN", "-ERR [AUTH] Authentication failed.");
            await s.DrainAsync();
        });
        await using var session = new Pop3Session(Timeout);
        await session.ConnectAsync("127.0.0.1", server.Port, TlsMode.None, CertificateTrust.System, CancellationToken.None);

        await Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(() => session.LoginAsync("helpdesk", "wrong", CancellationToken.None));
    }

    [Fact]
    public async Task A_server_without_CAPA_that_refuses_UIDL_has_no_unique_ids_and_still_lists_sizes()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("+OK ready");
            await s.ExpectAsync("CAPA", "-ERR unknown command");
            await s.ExpectAsync("USER", "+OK");
            await s.ExpectAsync("PASS", "+OK");
            await s.ExpectAsync("UIDL", "-ERR unknown command");
            await s.ExpectAsync("LIST", "+OK 2 messages\n1 120\n2 4000\n.");
            await s.ExpectAsync("QUIT", "+OK bye");
        });
        await using var session = await LoggedInAsync(server.Port);

        IReadOnlyDictionary<int, string>? uids = await session.ListUidsAsync(CancellationToken.None);
        IReadOnlyDictionary<int, long> sizes = await session.ListSizesAsync(CancellationToken.None);
        await session.QuitAsync(CancellationToken.None);
        await server.Completion.WaitAsync(Timeout);

        Assert.Null(uids);
        Assert.Equal([(1, 120L), (2, 4000L)], sizes.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public async Task A_server_whose_CAPA_leaves_UIDL_out_is_not_asked_for_it()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s, "USER\nTOP");
            await s.ExpectAsync("QUIT", "+OK bye");
        });
        await using var session = await LoggedInAsync(server.Port);

        IReadOnlyDictionary<int, string>? uids = await session.ListUidsAsync(CancellationToken.None);
        await session.QuitAsync(CancellationToken.None);
        await server.Completion.WaitAsync(Timeout);

        Assert.Null(uids);
        Assert.DoesNotContain("UIDL", server.Received);
    }

    [Fact]
    public async Task A_listing_out_of_order_or_with_a_number_twice_comes_back_in_number_order_with_the_last_value()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s, "USER\nUIDL");
            await s.ExpectAsync("UIDL", "+OK\n3 ccc\n1 aaa\n3 ddd\n  2   bbb  trailing words\n.");
            await s.ExpectAsync("LIST", "+OK\n1 10\n2 20\n4 40\n.");
            await s.ExpectAsync("QUIT", "+OK bye");
        });
        await using var session = await LoggedInAsync(server.Port);

        IReadOnlyDictionary<int, string>? uids = await session.ListUidsAsync(CancellationToken.None);
        IReadOnlyDictionary<int, long> sizes = await session.ListSizesAsync(CancellationToken.None);
        await session.QuitAsync(CancellationToken.None);

        Assert.Equal([(1, "aaa"), (2, "bbb"), (3, "ddd")], uids!.Select(p => (p.Key, p.Value)));
        Assert.Equal([(1, 10L), (2, 20L), (4, 40L)], sizes.Select(p => (p.Key, p.Value)));
        Assert.Equal(40L, sizes[4]);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0 10")]
    [InlineData("x 10")]
    [InlineData("1 ten")]
    [InlineData("-1 10")]
    public async Task A_garbled_LIST_line_is_a_protocol_error_that_quotes_it(string garbled)
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s, "USER");
            await s.ExpectAsync("LIST", $"+OK\n1 10\n{garbled}\n.");
            await s.DrainAsync();
        });
        await using var session = await LoggedInAsync(server.Port);

        var error = await Assert.ThrowsAsync<MailKit.Net.Pop3.Pop3ProtocolException>(() => session.ListSizesAsync(CancellationToken.None));
        Assert.Contains($"malformed LIST line: {garbled}", error.Message, StringComparison.Ordinal);
        Assert.False(session.IsConnected); // its state is unknown: closed, not reused
    }

    private static async Task LoginScriptAsync(ScriptedMailServer s, string capabilities)
    {
        await s.SendAsync("+OK ready");
        await s.ExpectAsync("CAPA", $"+OK\n{capabilities}\n.");
        await s.ExpectAsync("USER", "+OK");
        await s.ExpectAsync("PASS", "+OK logged in");
    }

    private static async Task<Pop3Session> LoggedInAsync(int port)
    {
        var session = new Pop3Session(Timeout);
        await session.ConnectAsync("127.0.0.1", port, TlsMode.None, CertificateTrust.System, CancellationToken.None);
        await session.LoginAsync("helpdesk", "secret", CancellationToken.None);
        return session;
    }

    private static async Task<string> ReadAllAsync(Stream message, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await message.CopyToAsync(copy, cancellationToken);
        return Encoding.Latin1.GetString(copy.ToArray());
    }
}
