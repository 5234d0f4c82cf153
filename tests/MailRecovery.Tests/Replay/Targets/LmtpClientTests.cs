using System.Net;
using System.Text;
using MailKit.Net.Smtp;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay.Targets;

/// <summary>The LMTP client against the bed's Dovecot, and against a scripted server for what Dovecot will not do on cue.</summary>
[Collection(TestBedCollection.Name)]
public sealed class LmtpClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TestBedFixture bed;

    public LmtpClientTests(TestBedFixture bed) => this.bed = bed;

    [Fact]
    public async Task Reads_Dovecots_capabilities_from_LHLO()
    {
        await using var client = new LmtpClient(Timeout);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, bed.LmtpPort), CancellationToken.None);

        Assert.Contains("8BITMIME", client.Capabilities);
        Assert.Contains("PIPELINING", client.Capabilities);
        Assert.Contains("ENHANCEDSTATUSCODES", client.Capabilities);
        await client.QuitAsync(CancellationToken.None);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Dovecot_gives_one_reply_per_recipient_after_the_data()
    {
        string first = TestBedFixture.NewUser("lmtpc");
        string second = TestBedFixture.NewUser("lmtpc");
        await using var client = new LmtpClient(Timeout);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, bed.LmtpPort), CancellationToken.None);

        await client.MailFromAsync("sender@example.org", smtpUtf8: false, size: -1, CancellationToken.None);
        Assert.Equal(SmtpStatusCode.Ok, (await client.RcptToAsync($"{first}@example.test", CancellationToken.None)).StatusCode);
        Assert.Equal(SmtpStatusCode.Ok, (await client.RcptToAsync($"{second}@example.test", CancellationToken.None)).StatusCode);
        using var content = new MemoryStream(TestMessages.Simple(1));
        IReadOnlyList<SmtpResponse?> replies = await client.DataAsync(ReadOnlyMemory<byte>.Empty, content, CancellationToken.None);
        await client.ResetAsync(CancellationToken.None);
        await client.QuitAsync(CancellationToken.None);

        Assert.Equal(2, replies.Count);
        Assert.All(replies, r => Assert.Equal(SmtpStatusCode.Ok, r!.StatusCode));
        Assert.Contains(first, replies[0]!.Response, StringComparison.Ordinal);
        Assert.Contains(second, replies[1]!.Response, StringComparison.Ordinal);
        await bed.WaitForMessagesAsync(first, 1);
        await bed.WaitForMessagesAsync(second, 1);
    }

    [Fact]
    public async Task Parses_multi_line_replies_declares_8BITMIME_and_SIZE_and_returns_each_recipients_reply()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220-fake LMTP\n220 ready");
            await s.ExpectAsync("LHLO", "250-fake\n250-PIPELINING\n250-8BITMIME\n250-SIZE 12345\n250 ENHANCEDSTATUSCODES");
            await s.ExpectAsync("MAIL FROM:<s@example.org> BODY=8BITMIME SIZE=", "250 2.1.0 ok");
            await s.ExpectAsync("RCPT TO:<a@example.test>", "250 2.1.5 ok");
            await s.ExpectAsync("RCPT TO:<b@example.test>", "250 2.1.5 ok");
            await s.ExpectAsync("DATA", "354 go ahead");
            await s.ReadDataAsync();
            await s.SendAsync("250 2.0.0 <a@example.test> saved");
            await s.SendAsync("452-4.2.2 <b@example.test> over quota\n452 4.2.2 try later");
            await s.ExpectAsync("QUIT", "221 bye");
        });
        await using var client = new LmtpClient(Timeout);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), CancellationToken.None);
        Assert.Contains("size", client.Capabilities);
        Assert.DoesNotContain("SMTPUTF8", client.Capabilities);

        await client.MailFromAsync("s@example.org", smtpUtf8: false, size: 10, CancellationToken.None);
        await client.RcptToAsync("a@example.test", CancellationToken.None);
        await client.RcptToAsync("b@example.test", CancellationToken.None);
        using var content = new MemoryStream(TestMessages.Simple(1));
        IReadOnlyList<SmtpResponse?> replies = await client.DataAsync(ReadOnlyMemory<byte>.Empty, content, CancellationToken.None);
        await client.QuitAsync(CancellationToken.None);
        await server.Completion.WaitAsync(Timeout);

        Assert.Equal(SmtpStatusCode.Ok, replies[0]!.StatusCode);
        Assert.Equal(SmtpStatusCode.InsufficientStorage, replies[1]!.StatusCode);
        Assert.Equal("4.2.2 <b@example.test> over quota\n4.2.2 try later", replies[1]!.Response);
        Assert.Contains("MAIL FROM:<s@example.org> BODY=8BITMIME SIZE=10", server.Received);
    }

    [Fact]
    public async Task Stuffs_dots_ends_lines_with_CRLF_and_terminates_the_data()
    {
        List<string>? data = null;
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake");
            await s.ExpectAsync("LHLO", "250 fake");
            await s.ExpectAsync("MAIL FROM:<>", "250 ok");
            await s.ExpectAsync("RCPT TO:<a@example.test>", "250 ok");
            await s.ExpectAsync("DATA", "354 go ahead");
            data = await s.ReadDataAsync();
            await s.SendAsync("250 saved");
            await s.DrainAsync();
        });
        await using var client = new LmtpClient(Timeout);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), CancellationToken.None);
        await client.MailFromAsync(string.Empty, smtpUtf8: false, size: -1, CancellationToken.None);
        await client.RcptToAsync("a@example.test", CancellationToken.None);

        // A bare LF, lines starting with dots, a lone dot, and a last line without a line end.
        using var content = new MemoryStream(Encoding.ASCII.GetBytes("Subject: x\r\n\r\nbare\n.\r\n..x\r\n.hidden\r\nlast"));
        IReadOnlyList<SmtpResponse?> replies = await client.DataAsync(Encoding.ASCII.GetBytes("X-Prefix: 1\n"), content, CancellationToken.None);
        await client.DisposeAsync();
        await server.Completion.WaitAsync(Timeout);

        Assert.Equal(SmtpStatusCode.Ok, Assert.Single(replies)!.StatusCode);
        Assert.Equal(["X-Prefix: 1", "Subject: x", string.Empty, "bare", "..", "...x", "..hidden", "last"], data);
        Assert.Equal(0, server.BareLineFeeds);
    }

    [Fact]
    public async Task A_connection_lost_after_the_end_of_the_data_leaves_the_missing_replies_unknown()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake");
            await s.ExpectAsync("LHLO", "250 fake");
            await s.ExpectAsync("MAIL", "250 ok");
            await s.ExpectAsync("RCPT", "250 ok");
            await s.ExpectAsync("RCPT", "250 ok");
            await s.ExpectAsync("DATA", "354 go ahead");
            await s.ReadDataAsync();
            await s.SendAsync("250 saved for a");
            s.HangUp();
        });
        await using var client = new LmtpClient(Timeout);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), CancellationToken.None);
        await client.MailFromAsync("s@example.org", smtpUtf8: false, size: -1, CancellationToken.None);
        await client.RcptToAsync("a@example.test", CancellationToken.None);
        await client.RcptToAsync("b@example.test", CancellationToken.None);
        using var content = new MemoryStream(TestMessages.Simple(1));

        IReadOnlyList<SmtpResponse?> replies = await client.DataAsync(ReadOnlyMemory<byte>.Empty, content, CancellationToken.None);

        Assert.Equal(SmtpStatusCode.Ok, replies[0]!.StatusCode);
        Assert.Null(replies[1]);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_refused_sender_throws_and_keeps_the_connection()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake");
            await s.ExpectAsync("LHLO", "250 fake");
            await s.ExpectAsync("MAIL", "550 5.7.1 not you");
            await s.ExpectAsync("RSET", "250 ok");
            await s.DrainAsync();
        });
        await using var client = new LmtpClient(Timeout);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), CancellationToken.None);

        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.MailFromAsync("s@example.org", false, -1, CancellationToken.None));

        Assert.Equal(SmtpStatusCode.MailboxUnavailable, e.StatusCode);
        Assert.True(client.IsConnected);
        await client.ResetAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_times_out_and_is_disconnected()
    {
        await using var server = ScriptedMailServer.Start(s => s.DrainAsync()); // never greets
        await using var client = new LmtpClient(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAsync<TimeoutException>(() => client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), CancellationToken.None));

        Assert.False(client.IsConnected);
    }
}
