using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.Replay.Targets;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Fetch;

/// <summary>
/// A hostile IMAP server that lists a message, announces its size, and then answers its UID FETCH with OK and
/// no data (or with fewer bytes): a reported failure, never "fetched 0, failed 0", never an empty file. A complete
/// download of another size than announced is asked for again: the same bytes twice are what the server has (its
/// size was an estimate, as Exchange's is), different bytes are a broken transfer.
/// </summary>
public sealed class NoDataServerTests : IDisposable
{
    private const string Message = "From: a@example.org\r\nSubject: x\r\nMessage-ID: <nodata@example.org>\r\n\r\nbody\r\n";

    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData(null)] // OK, no FETCH response at all
    [InlineData("")] // an empty literal
    public async Task A_fetch_answered_without_the_message_is_a_failure_and_nothing_is_archived(string? body)
    {
        await using var server = ScriptedMailServer.Start(s => ImapScriptAsync(s, _ => body));

        FetchReport report = await FetchAsync(server.Port);

        Assert.Equal(0, report.Fetched);
        Assert.Equal(1, report.Failed);
        Assert.Equal(0, report.Vanished);
        Assert.Equal(ExitCodes.SomeFailed, report.ExitCode);
        string failure = Assert.Single(report.Accounts[0].Failures);
        Assert.Contains("INBOX 7:", failure, StringComparison.Ordinal);
        Assert.Contains(body is null ? "without sending the message" : $"{System.Text.Encoding.ASCII.GetByteCount(body)} bytes", failure, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "cur")));
        Assert.Contains(server.Received, l => l.Contains("UID SEARCH UID 7", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_short_download_that_differs_the_second_time_is_a_failure()
    {
        await using var server = ScriptedMailServer.Start(s => ImapScriptAsync(s, n => n == 1 ? "From: a@example.org\r\n" : "From: b@example.org\r\n"));

        FetchReport report = await FetchAsync(server.Port);

        Assert.Equal((0, 1), (report.Fetched, report.Failed));
        Assert.Contains("bytes but announced", Assert.Single(report.Accounts[0].Failures), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "cur")));
    }

    [Fact]
    public async Task The_same_bytes_twice_are_archived_as_sent_with_a_warning()
    {
        const string Sent = "From: a@example.org\r\nMessage-ID: <estimate@example.org>\r\n\r\nshorter than announced\r\n";
        await using var server = ScriptedMailServer.Start(s => ImapScriptAsync(s, _ => Sent));

        FetchReport report = await FetchAsync(server.Port);

        Assert.Equal((1, 0), (report.Fetched, report.Failed));
        Assert.Contains("twice the same; archived as sent", Assert.Single(report.Accounts[0].Warnings), StringComparison.Ordinal);
        Assert.Equal(System.Text.Encoding.ASCII.GetBytes(Sent), await File.ReadAllBytesAsync(Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, "cur")))));
        Assert.Equal(2, server.Received.Count(l => l.Contains("BODY", StringComparison.OrdinalIgnoreCase) && l.Contains("UID FETCH", StringComparison.OrdinalIgnoreCase)));
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadOnly, TimeProvider.System, CancellationToken.None);
        Assert.Empty((await ArchiveVerifier.VerifyAsync(archive, null, CancellationToken.None)).Problems); // no server size recorded for an estimate
    }

    private async Task<FetchReport> FetchAsync(int port)
    {
        string passwordFile = Path.Combine(dir.Path, "..", Path.GetFileName(dir.Path) + ".pw");
        await SecretFile.WriteAsync(passwordFile, "pw\n");
        try
        {
            var endpoint = new SourceEndpoint(MailProtocol.Imap, "127.0.0.1", port, TlsMode.None, "u", ["INBOX"]);
            var account = new AccountSpec(endpoint.AccountKey, endpoint, new SourceCredentials(passwordFile, null), CertificateTrust.System, ServerPolicy.Keep);
            using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
            var run = new FetchRun(archive, a => MessageSourceFactory.Create(a.Endpoint, a.Credentials, a.Trust), Fetcher.FastOptions(), NullLogger.Instance);
            return await run.RunAsync([account], CancellationToken.None);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>Just enough IMAP (RFC 9051) for one pass over a mailbox holding UID 7.</summary>
    /// <param name="bodyOf">The body for the n-th download (1-based); null: OK without a FETCH response.</param>
    private static async Task ImapScriptAsync(ScriptedMailServer s, Func<int, string?> bodyOf)
    {
        int downloads = 0;
        await s.SendAsync("* OK [CAPABILITY IMAP4rev1 UIDPLUS] scripted");
        while (await s.ReadLineAsync() is string line)
        {
            string[] parts = line.Split(' ', 3);
            string tag = parts[0];
            string command = string.Join(' ', parts.Skip(1)).ToUpperInvariant();
            if (command.StartsWith("CAPABILITY", StringComparison.Ordinal))
                await s.SendAsync($"* CAPABILITY IMAP4rev1 UIDPLUS\n{tag} OK done");
            else if (command.StartsWith("LOGIN", StringComparison.Ordinal))
                await s.SendAsync($"{tag} OK [CAPABILITY IMAP4rev1 UIDPLUS] logged in");
            else if (command.StartsWith("NAMESPACE", StringComparison.Ordinal))
                await s.SendAsync($"* NAMESPACE ((\"\" \"/\")) NIL NIL\n{tag} OK done");
            else if (command.StartsWith("LIST", StringComparison.Ordinal))
                await s.SendAsync($"* LIST () \"/\" INBOX\n{tag} OK done");
            else if (command.StartsWith("EXAMINE", StringComparison.Ordinal) || command.StartsWith("SELECT", StringComparison.Ordinal))
                await s.SendAsync($"* 1 EXISTS\n* 0 RECENT\n* FLAGS (\\Seen)\n* OK [UIDVALIDITY 5] v\n* OK [UIDNEXT 8] n\n{tag} OK [READ-ONLY] done");
            else if (command.StartsWith("UID SEARCH", StringComparison.Ordinal))
                await s.SendAsync($"* SEARCH 7\n{tag} OK done");
            else if (command.StartsWith("UID FETCH", StringComparison.Ordinal) && command.Contains("BODY", StringComparison.Ordinal) && bodyOf(++downloads) is var body)
                await s.SendAsync(body is null ? $"{tag} OK done" : $"* 1 FETCH (UID 7 BODY[] {{{System.Text.Encoding.ASCII.GetByteCount(body)}}}\n{body.Replace("\r\n", "\n", StringComparison.Ordinal)})\n{tag} OK done");
            else if (command.StartsWith("UID FETCH", StringComparison.Ordinal))
                await s.SendAsync($"* 1 FETCH (UID 7 RFC822.SIZE {Message.Length} INTERNALDATE \"26-Nov-2026 02:00:00 +0000\")\n{tag} OK done");
            else if (command.StartsWith("LOGOUT", StringComparison.Ordinal))
            {
                await s.SendAsync($"* BYE bye\n{tag} OK done");
                return;
            }
            else
                await s.SendAsync($"{tag} OK done");
        }
    }
}
