using System.Text;
using MailKit.Net.Pop3;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Sources.Pop3Wire;
using MailRecovery.Tests.Replay.Targets;

namespace MailRecovery.Tests.Sources.Pop3Wire;

/// <summary>
/// <see cref="Pop3Session"/> against a scripted server that does what Dovecot will not do on cue: stuffed and bare-LF
/// lines, a reply line that never ends, -ERR to TOP, a connection cut in the middle of a message.
/// </summary>
public sealed class Pop3SessionScriptedTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_byte_stuffed_line_loses_its_first_dot_and_nothing_else()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s);
            await s.ExpectAsync("TOP 1 2147483647", "+OK");
            await s.SendRawAsync("Subject: x\r\n\r\n..x\r\n...\r\nx..\r\n.\r\n"u8.ToArray());
            await s.ExpectAsync("QUIT", "+OK bye");
        });
        await using var session = await LoggedInAsync(server.Port);

        string message = await session.TopAsync(1, Pop3Session.WholeMessage, ReadAllAsync, CancellationToken.None);
        await session.QuitAsync(CancellationToken.None);
        await server.Completion.WaitAsync(Timeout);

        Assert.Equal("Subject: x\r\n\r\n.x\r\n..\r\nx..\r\n", message);
        Assert.DoesNotContain(server.Received, l => l.StartsWith("RETR", StringComparison.Ordinal) || l.StartsWith("DELE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bare_LF_in_a_message_arrives_as_sent_and_the_session_goes_on()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s);
            await s.ExpectAsync("TOP 1 2147483647", "+OK");
            await s.SendRawAsync("Subject: x\r\n\r\nfirst\nsecond\r\n.\r\n"u8.ToArray());
            await s.ExpectAsync("TOP 1 0", "+OK\nSubject: x\n\n.");
            await s.ExpectAsync("QUIT", "+OK bye");
        });
        await using var session = await LoggedInAsync(server.Port);

        string whole = await session.TopAsync(1, Pop3Session.WholeMessage, ReadAllAsync, CancellationToken.None);
        string headers = await session.TopAsync(1, 0, ReadAllAsync, CancellationToken.None);
        await session.QuitAsync(CancellationToken.None);
        await server.Completion.WaitAsync(Timeout);

        Assert.Equal("Subject: x\r\n\r\nfirst\nsecond\r\n", whole);
        Assert.Equal("Subject: x\r\n\r\n", headers);
    }

    [Theory]
    [InlineData("+OK bye", true)]
    [InlineData("-ERR some deleted messages not removed", false)]
    public async Task QUIT_says_whether_the_server_committed_the_deletions(string reply, bool committed)
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s);
            await s.ExpectAsync("DELE 1", "+OK marked");
            await s.ExpectAsync("QUIT", reply);
        });
        await using var session = await LoggedInAsync(server.Port);

        await session.DeleteAsync([1], 1, CancellationToken.None);
        bool result = await session.QuitAsync(CancellationToken.None);
        await server.Completion.WaitAsync(Timeout);

        // A probe cleanup must not report "removed" for a DELE the server did not make (RFC 1939 §6: -ERR in UPDATE).
        Assert.Equal(committed, result);
        Assert.False(session.IsConnected);
    }

    [Fact]
    public async Task A_reply_line_that_never_ends_is_a_protocol_error_not_a_memory_hog()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendRawAsync(Encoding.ASCII.GetBytes("+OK " + new string('x', 1024 * 1024)));
            await s.DrainAsync();
        });
        await using var session = new Pop3Session(Timeout);

        var error = await Assert.ThrowsAsync<Pop3ProtocolException>(() => session.ConnectAsync("127.0.0.1", server.Port, TlsMode.None, CertificateTrust.System, CancellationToken.None));

        Assert.Contains("longer than 64 KiB", error.Message, StringComparison.Ordinal);
        Assert.False(session.IsConnected);
        Assert.Equal(FailureKind.Transient, ErrorClassifier.Classify(error, "primary").Kind);
    }

    [Fact]
    public async Task An_ERR_to_TOP_is_a_command_error_and_the_session_stays_usable()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s);
            await s.ExpectAsync("TOP 2 2147483647", "-ERR no such message");
            await s.ExpectAsync("TOP 1 2147483647", "+OK\nSubject: y\n\nbody\n.");
            await s.ExpectAsync("QUIT", "+OK bye");
        });
        await using var session = await LoggedInAsync(server.Port);

        var error = await Assert.ThrowsAsync<Pop3CommandException>(() => session.TopAsync(2, Pop3Session.WholeMessage, ReadAllAsync, CancellationToken.None));
        string next = await session.TopAsync(1, Pop3Session.WholeMessage, ReadAllAsync, CancellationToken.None);
        await session.QuitAsync(CancellationToken.None);

        Assert.Contains("no such message", error.Message, StringComparison.Ordinal);
        Assert.Equal("Subject: y\r\n\r\nbody\r\n", next);
    }

    [Fact]
    public async Task A_connection_dropped_mid_message_is_an_error_never_a_short_message()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await LoginScriptAsync(s);
            await s.ExpectAsync("TOP 1 2147483647", "+OK");
            await s.SendRawAsync("Subject: x\r\n\r\nthe first half of the body\r\nand then"u8.ToArray());
            s.HangUp();
        });
        await using var session = await LoggedInAsync(server.Port);
        string? fingerprint = null;

        var error = await Assert.ThrowsAsync<Pop3ProtocolException>(async () =>
            fingerprint = await session.TopAsync(1, Pop3Session.WholeMessage, MailRecovery.Core.Archive.MessageFingerprint.ComputeAsync, CancellationToken.None));

        Assert.Null(fingerprint);
        Assert.Contains("in the middle of a message", error.Message, StringComparison.Ordinal);
        Assert.False(session.IsConnected);
    }

    [Fact]
    public async Task A_refused_password_is_an_authentication_failure()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("+OK ready");
            await s.ExpectAsync("CAPA", "+OK\nUSER\n.");
            await s.ExpectAsync("USER", "+OK");
            await s.ExpectAsync("PASS", "-ERR [AUTH] Authentication failed.");
            await s.DrainAsync();
        });
        await using var session = new Pop3Session(Timeout);
        await session.ConnectAsync("127.0.0.1", server.Port, TlsMode.None, CertificateTrust.System, CancellationToken.None);

        var error = await Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(() => session.LoginAsync("helpdesk", "wrong", CancellationToken.None));

        Assert.Equal(FailureKind.Authentication, ErrorClassifier.Classify(error, "primary").Kind);
    }

    [Fact]
    public async Task STARTTLS_without_STLS_on_offer_sends_no_password()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("+OK ready");
            await s.ExpectAsync("CAPA", "+OK\nUSER\nUIDL\nTOP\n.");
            await s.DrainAsync();
        });
        await using var session = new Pop3Session(Timeout);

        var error = await Assert.ThrowsAsync<System.Security.Authentication.AuthenticationException>(() =>
            session.ConnectAsync("127.0.0.1", server.Port, TlsMode.StartTls, CertificateTrust.System, CancellationToken.None));
        await server.DisposeAsync();

        Assert.Contains("does not offer STLS", error.Message, StringComparison.Ordinal);
        Assert.Equal(FailureKind.Certificate, ErrorClassifier.Classify(error, "primary").Kind);
        Assert.DoesNotContain(server.Received, l => l.StartsWith("USER", StringComparison.Ordinal) || l.StartsWith("PASS", StringComparison.Ordinal));
    }

    private static async Task LoginScriptAsync(ScriptedMailServer s)
    {
        await s.SendAsync("+OK ready");
        await s.ExpectAsync("CAPA", "+OK\nUSER\nUIDL\nTOP\n.");
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
