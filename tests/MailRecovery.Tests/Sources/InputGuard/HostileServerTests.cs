using System.Diagnostics;
using System.Globalization;
using System.Text;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Sources.InputGuard;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Sources.InputGuard;

/// <summary>
/// Servers that never end a line (or a reply), against the real CLI with its managed heap capped at 256 MiB
/// (DOTNET_GCHeapHardLimit): without the bound, each run dies of OutOfMemory (the review saw 5–8 GB RSS).
/// Each must end in time with the failure model's exit code and a message in words, having taken only a few
/// MiB more than the 16 MiB limit from the flood.
/// </summary>
[Collection(HostileServerCollection.Name)]
public sealed class HostileServerTests
{
    private const string HeapLimit = "0x10000000"; // 256 MiB
    private static readonly long MostTaken = ServerInputGuard.MaxLineBytes + (32L * 1024 * 1024); // the limit plus socket buffers

    [Fact]
    public async Task An_endless_IMAP_greeting_fails_the_account_with_exit_1()
    {
        await using var server = FloodServer.Start(c => c.FloodAsync("* OK "));
        using var dir = new TempDirectory();
        await AssertFailsAsync(server, ImapFetch(server, dir), 1, "longer than 16 MiB");
    }

    [Fact]
    public async Task An_endless_untagged_IMAP_line_after_login_fails_the_account_with_exit_1()
    {
        await using var server = FloodServer.Start(c => ImapAfterLoginAsync(c, "* OK [ALERT] "));
        using var dir = new TempDirectory();
        await AssertFailsAsync(server, ImapFetch(server, dir), 1, "longer than 16 MiB");
    }

    [Fact]
    public async Task An_endless_IMAP_LIST_line_after_login_fails_the_account_with_exit_1()
    {
        await using var server = FloodServer.Start(c => ImapAfterLoginAsync(c, "* LIST (\\HasNoChildren) \"/\" INBOX"));
        using var dir = new TempDirectory();
        await AssertFailsAsync(server, ImapFetch(server, dir), 1, "longer than 16 MiB");
    }

    [Fact]
    public async Task An_IMAP_literal_longer_than_announced_fails_the_account_with_exit_1()
    {
        // Five bytes announced, then no end: MailKit would read the rest as one endless token.
        await using var server = FloodServer.Start(c => ImapAfterLoginAsync(c, "* LIST () \"/\" {5}\r\nINBOX"));
        using var dir = new TempDirectory();
        await AssertFailsAsync(server, ImapFetch(server, dir), 1, "longer than 16 MiB");
    }

    [Fact]
    public async Task An_endless_POP3_greeting_fails_the_account()
    {
        await using var server = FloodServer.Start(c => c.FloodAsync("+OK "));
        using var dir = new TempDirectory();
        // 1 while POP3 fetch runs on MailKit (the guard), 75 once it runs on Pop3Wire (its 64 KiB reply-line bound).
        await AssertFailsAsync(server, ["fetch", "--archive", dir.Path, "--source", $"pop3://copy@127.0.0.1:{server.Port}?tls=none", "--insecure",
            "--password-file", PasswordFile(dir), "--json"], null, "longer than");
    }

    [Fact]
    public async Task An_endless_SMTP_greeting_stops_the_replay()
    {
        await using var server = FloodServer.Start(c => c.FloodAsync("220 "));
        using var dir = await ArchiveAsync();
        await AssertFailsAsync(server, Replay(dir, $"smtp://127.0.0.1:{server.Port}"), 1, "longer than 16 MiB");
    }

    [Fact]
    public async Task An_EHLO_reply_that_never_ends_stops_the_replay()
    {
        await using var server = FloodServer.Start(async c =>
        {
            await c.SendAsync("220 hostile ESMTP");
            await c.ReadLineAsync(); // EHLO
            await c.FloodLinesAsync("250-PIPELINING");
        });
        using var dir = await ArchiveAsync();
        await AssertFailsAsync(server, Replay(dir, $"smtp://127.0.0.1:{server.Port}"), 1, "reply longer than 16 MiB");
    }

    [Fact]
    public async Task An_LHLO_reply_that_never_ends_stops_the_replay()
    {
        await using var server = FloodServer.Start(async c =>
        {
            await c.SendAsync("220 hostile LMTP");
            await c.ReadLineAsync(); // LHLO
            await c.FloodLinesAsync("250-PIPELINING");
        });
        using var dir = await ArchiveAsync();
        await AssertFailsAsync(server, Replay(dir, $"lmtp://127.0.0.1:{server.Port}"), 1, "reply longer than 64 KiB");
    }

    [Fact]
    public async Task An_endless_LMTP_greeting_line_stops_the_replay()
    {
        await using var server = FloodServer.Start(c => c.FloodAsync("220 "));
        using var dir = await ArchiveAsync();
        await AssertFailsAsync(server, Replay(dir, $"lmtp://127.0.0.1:{server.Port}"), 1, "reply longer than 64 KiB");
    }

    /// <summary>The MailKit POP3 client of the probe watcher and the audit's listing, in-process.</summary>
    [Fact]
    public async Task The_MailKit_POP3_client_stops_at_the_limit()
    {
        await using var server = FloodServer.Start(c => c.FloodAsync("+OK "));
        using var client = MailServiceConnector.NewPop3Client();
        await Assert.ThrowsAsync<OverlongServerInputException>(() =>
            MailServiceConnector.ConnectAsync(client, "127.0.0.1", server.Port, TlsMode.None, CertificateTrust.System, CancellationToken.None));
        Assert.InRange(server.Flooded, 0, MostTaken);
    }

    /// <param name="countTaken">
    /// Whether to bound the bytes the server got rid of. Not for LMTP: there the CLI stops at 64 KiB (its message
    /// says so, and the heap cap holds), yet about one run in five the server still writes ~120 MB before the
    /// socket fails, for a reason not yet found; the heap cap is the bound these tests rely on.
    /// </param>
    private static async Task AssertFailsAsync(FloodServer server, string[] args, int? exitCode, string says, bool countTaken = true)
    {
        var clock = Stopwatch.StartNew();
        using Process process = CliRunner.Start(new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = HeapLimit }, args);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        string error = await stderr + await stdout;
        Assert.True(exitCode is null ? process.ExitCode is 1 or 75 : process.ExitCode == exitCode, $"exit {process.ExitCode}: {error}");
        Assert.True(error.Contains(says, StringComparison.Ordinal), $"expected '{says}' in: {error}");
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal); // no stack trace
        Assert.True(!countTaken || server.Flooded <= MostTaken, $"the client took {server.Flooded} bytes of flood in {clock.Elapsed}: {error}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"took {clock.Elapsed}");
    }

    /// <summary>Greets with capabilities, takes the LOGIN, then floods the next answer.</summary>
    private static async Task ImapAfterLoginAsync(FloodServer.Connection c, string flood)
    {
        await c.SendAsync("* OK [CAPABILITY IMAP4rev1] hostile");
        while (await c.ReadLineAsync() is { } line)
        {
            string tag = line.Split(' ')[0];
            if (line.Contains(" LOGIN ", StringComparison.OrdinalIgnoreCase))
            {
                await c.SendAsync($"{tag} OK [CAPABILITY IMAP4rev1] logged in");
                continue;
            }

            await c.FloodAsync(flood);
            return;
        }
    }

    private static string[] ImapFetch(FloodServer server, TempDirectory dir) =>
        ["fetch", "--archive", Path.Combine(dir.Path, "archive"), "--source", $"imap://copy@127.0.0.1:{server.Port}?tls=none", "--insecure",
            "--password-file", PasswordFile(dir), "--json"];

    private static string[] Replay(TempDirectory dir, string target) =>
        ["replay", "--archive", dir.Path, "--since", "2000-01-01T00:00:00Z", "--to", target, "--rcpt", "helpdesk@example.org", "--yes", "--json"];

    private static string PasswordFile(TempDirectory dir)
    {
        string file = Path.Combine(dir.Path, "password");
        File.WriteAllText(file, "secret\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return file;
    }

    /// <summary>An archive of one ordinary message, to replay.</summary>
    private static async Task<TempDirectory> ArchiveAsync()
    {
        var dir = new TempDirectory();
        using MessageArchive store = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        ArchiveBatch batch = store.BeginBatch();
        byte[] bytes = Encoding.ASCII.GetBytes(
            $"Return-Path: <sender@example.org>\r\nFrom: sender@example.org\r\nTo: helpdesk@example.org\r\nSubject: hostile\r\nMessage-ID: <{Guid.NewGuid():N}@example.org>\r\n"
            + "Date: Mon, 16 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n");
        StagedMessage staged = await store.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None);
        batch.Add(staged, "imap://copy@mx.example.test", "INBOX", 1, 1.ToString(CultureInfo.InvariantCulture));
        batch.Commit();
        return dir;
    }
}
