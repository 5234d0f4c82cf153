using System.Text;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Resilience;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.Replay.Targets;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// A whole POP3 fetch pass (FetchRun over <see cref="Pop3Source"/>) against a scripted server that breaks where the
/// real Dovecot will not: the crash model's promise is that a pass that fails archives nothing half and leaves every
/// message on the server (no QUIT, so no DELE becomes final, RFC 1939 §6).
/// </summary>
public sealed class FetchPop3ScriptedServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly byte[] One = "Message-ID: <one@example.org>\r\nSubject: one\r\n\r\nbody one\r\n.. stuffed\r\n"u8.ToArray();
    private static readonly byte[] Two = "Message-ID: <two@example.org>\r\nSubject: two\r\n\r\nbody two\r\n"u8.ToArray();

    [Fact]
    public async Task A_connection_dropped_mid_RETR_fails_the_account_keeps_the_complete_message_and_deletes_nothing()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await ListScriptAsync(s, "USER\nUIDL\nPIPELINING", withUidl: true);
            await s.ReadLineAsync();
            await s.ReadLineAsync();
            await s.SendRawAsync([.. "+OK\r\n"u8, .. Stuffed(One), .. "+OK\r\n"u8, .. Two.AsSpan(0, 30)]);
            s.HangUp();
        });
        using var dir = new TempDirectory();

        FetchReport report = await RunAsync(dir, server.Port, ServerPolicy.Delete);

        Assert.Equal(ExitCodes.TemporaryFailure, report.ExitCode);
        Assert.Equal(FailureKind.Transient, report.Accounts[0].Error!.Kind);

        // Issue 11: the message complete before the drop is archived (a bad link still moves forward); the
        // truncated one is not, and nothing is deleted on a connection that is gone.
        Assert.Equal([FetchImapTests.Sha(One)], ArchiveSnapshot.Take(dir.Sub("archive")).FileHashes);
        Assert.Equal(1, report.Fetched);
        Assert.DoesNotContain(server.Received, l => l.StartsWith("DELE", StringComparison.Ordinal) || l == "QUIT");
    }

    [Fact]
    public async Task An_ERR_to_DELE_fails_the_account_without_QUIT_so_no_deletion_becomes_final_and_the_mail_stays_archived()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await ListScriptAsync(s, "USER\nUIDL\nPIPELINING", withUidl: true);
            await s.ReadLineAsync();
            await s.ReadLineAsync();
            await s.SendRawAsync([.. "+OK\r\n"u8, .. Stuffed(One), .. "+OK\r\n"u8, .. Stuffed(Two)]);
            Assert.Equal("DELE 1", await s.ReadLineAsync());
            Assert.Equal("DELE 2", await s.ReadLineAsync());
            await s.SendAsync("+OK marked\n-ERR [SYS/TEMP] cannot mark message 2");
            await s.DrainAsync();
        });
        using var dir = new TempDirectory();

        FetchReport report = await RunAsync(dir, server.Port, ServerPolicy.Delete);

        Assert.NotEqual(0, report.ExitCode);
        Assert.Contains("cannot mark message 2", report.Accounts[0].Error!.Message, StringComparison.Ordinal);
        Assert.Equal(2, ArchiveSnapshot.Take(dir.Sub("archive")).FileHashes.Count);
        Assert.DoesNotContain("QUIT", server.Received);
    }

    [Fact]
    public async Task A_server_without_UIDL_is_fetched_by_content_with_a_warning_and_QUIT_at_the_end()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await ListScriptAsync(s, "USER\nPIPELINING", withUidl: false);
            await s.ReadLineAsync();
            await s.ReadLineAsync();
            await s.SendRawAsync([.. "+OK\r\n"u8, .. Stuffed(One), .. "+OK\r\n"u8, .. Stuffed(Two)]);
            await s.ExpectAsync("QUIT", "+OK bye");
        });
        using var dir = new TempDirectory();

        FetchReport report = await RunAsync(dir, server.Port, ServerPolicy.Keep);
        await server.Completion.WaitAsync(Timeout);

        Assert.Equal((0, 2), (report.ExitCode, report.Fetched));
        Assert.Contains(report.Accounts[0].Warnings, w => w.Contains("UIDL", StringComparison.Ordinal));
        Assert.DoesNotContain("UIDL", server.Received);
        Assert.Equal(new[] { FetchImapTests.Sha(One), FetchImapTests.Sha(Two) }.Order(StringComparer.Ordinal), ArchiveSnapshot.Take(dir.Sub("archive")).FileHashes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_RETR_that_never_ends_stops_at_twice_the_announced_size_and_nothing_is_archived()
    {
        long sent = 0;
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await ListScriptAsync(s, "USER\nUIDL\nPIPELINING", withUidl: true);
            await s.ReadLineAsync();
            await s.ReadLineAsync();
            await s.SendRawAsync("+OK\r\n"u8.ToArray());
            byte[] line = Encoding.ASCII.GetBytes(new string('x', 998) + "\r\n");
            byte[] chunk = [.. Enumerable.Range(0, 64).SelectMany(_ => line)];
            try
            {
                // The flood is bounded (64 MiB) so that the test ends whatever the client does.
                while (sent < 64L * 1024 * 1024)
                {
                    await s.SendRawAsync(chunk);
                    sent += chunk.Length;
                }
            }
            catch (IOException)
            {
                // The client hung up: what the test wants.
            }
        });
        using var dir = new TempDirectory();

        FetchReport report = await RunAsync(dir, server.Port, ServerPolicy.Delete);

        Assert.Equal(ExitCodes.SomeFailed, report.ExitCode);
        Assert.Contains("sent more than", report.Accounts[0].Error!.Message, StringComparison.Ordinal);
        Assert.Empty(ArchiveSnapshot.Take(dir.Sub("archive")).FileHashes);
        Assert.Empty(Directory.GetFiles(dir.Sub(Path.Combine("archive", "tmp"))));
        Assert.InRange(sent, 0, 16L * 1024 * 1024); // 2 × 72 bytes + 1 MiB read, plus what the sockets buffer
        Assert.DoesNotContain(server.Received, l => l.StartsWith("DELE", StringComparison.Ordinal));
    }

    /// <summary>Greeting, CAPA, login, then LIST (and UIDL) of <see cref="One"/> and <see cref="Two"/>.</summary>
    private static async Task ListScriptAsync(ScriptedMailServer s, string capabilities, bool withUidl)
    {
        await s.SendAsync("+OK ready");
        await s.ExpectAsync("CAPA", $"+OK\n{capabilities}\n.");
        await s.ExpectAsync("USER", "+OK");
        await s.ExpectAsync("PASS", "+OK logged in");
        await s.ExpectAsync("LIST", $"+OK 2 messages\n1 {One.Length}\n2 {Two.Length}\n.");
        if (withUidl)
            await s.ExpectAsync("UIDL", "+OK\n1 uid-one\n2 uid-two\n.");
    }

    /// <summary>A message as a RETR reply carries it: lines starting with "." get another (RFC 1939 §3), then ".".</summary>
    private static byte[] Stuffed(byte[] message) =>
        Encoding.Latin1.GetBytes(string.Concat(Encoding.Latin1.GetString(message).Split("\r\n")[..^1].Select(l => (l.StartsWith('.') ? "." + l : l) + "\r\n")) + ".\r\n");

    private static async Task<FetchReport> RunAsync(TempDirectory dir, int port, ServerPolicy policy)
    {
        string password = dir.Sub("password");
        File.WriteAllText(password, "secret\n");
        File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var endpoint = new SourceEndpoint(MailProtocol.Pop3, "127.0.0.1", port, TlsMode.None, "helpdesk", []);
        var account = new AccountSpec("scripted", endpoint, new SourceCredentials(password, null), CertificateTrust.System, policy);
        // The one retry of a broken pass finds no server (the script serves one connection) within a second.
        var options = new FetchOptions { Resilience = new ResilienceOptions { MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10), ConnectTimeout = TimeSpan.FromSeconds(1) } };
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Sub("archive"), ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        var run = new FetchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), options, NullLogger.Instance);
        return await run.RunAsync([account], CancellationToken.None).WaitAsync(Timeout);
    }
}
