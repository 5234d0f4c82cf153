using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit.Net.Imap;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.Replay.Targets;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Errors;

/// <summary>
/// Issue 10 point 6: each case the review found outside the README's exit-code contract, now a usage error (2)
/// with a one-line fix, or the documented "internal error" (1) with the details in a file.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class FailureContractTests(TestBedFixture bed)
{
    [Fact]
    public async Task Implicit_TLS_to_a_plain_port_is_told_as_a_TLS_mismatch_not_an_untrusted_certificate()
    {
        using var client = MailServiceConnector.NewImapClient();

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() =>
            MailServiceConnector.ConnectAsync(client, "127.0.0.1", bed.ImapPort, TlsMode.Implicit, bed.Trust, CancellationToken.None));

        Assert.Equal(ExitCodes.Usage, ExitCodes.For(e));
        Assert.Contains("TLS handshake failed: the port does not speak TLS (is it a STARTTLS port? use imap://)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("certificate", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task STARTTLS_to_an_implicit_TLS_port_is_told_as_a_TLS_mismatch_within_the_connect_timeout()
    {
        using var client = MailServiceConnector.NewImapClient();
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() =>
            MailServiceConnector.ConnectAsync(client, "127.0.0.1", bed.ImapsPort, TlsMode.StartTls, bed.Trust, CancellationToken.None));

        Assert.True(clock.Elapsed < new Core.Resilience.ResilienceOptions().ConnectTimeout, $"took {clock.Elapsed}");
        Assert.Equal(ExitCodes.Usage, ExitCodes.For(e));
        Assert.Contains("TLS mismatch", e.Message, StringComparison.Ordinal);
        Assert.Contains("imaps://", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_POP3_both_TLS_mix_ups_are_told_as_such_within_the_connect_timeout()
    {
        // POP3 runs on our own client (Pop3Wire), which must tell them as the MailKit connector does.
        await using var implicitToPlain = new Core.Sources.Pop3Wire.Pop3Session();
        var plain = await Assert.ThrowsAsync<MailRecoveryException>(() =>
            implicitToPlain.ConnectAsync("127.0.0.1", bed.Pop3Port, TlsMode.Implicit, bed.Trust, CancellationToken.None));
        Assert.Equal(ExitCodes.Usage, ExitCodes.For(plain));
        Assert.Contains("the port does not speak TLS (is it a STARTTLS port? use pop3://)", plain.Message, StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        await using var startTlsToImplicit = new Core.Sources.Pop3Wire.Pop3Session();
        var mismatch = await Assert.ThrowsAsync<MailRecoveryException>(() =>
            startTlsToImplicit.ConnectAsync("127.0.0.1", bed.Pop3sPort, TlsMode.StartTls, bed.Trust, CancellationToken.None));
        Assert.True(clock.Elapsed < new Core.Resilience.ResilienceOptions().ConnectTimeout, $"took {clock.Elapsed}");
        Assert.Equal(ExitCodes.Usage, ExitCodes.For(mismatch));
        Assert.Contains("TLS mismatch", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("pop3s://", mismatch.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_without_STARTTLS_is_a_usage_error_with_the_fix()
    {
        await using var server = ScriptedMailServer.Start(ImapWithoutStartTlsAsync);
        using var client = MailServiceConnector.NewImapClient();

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() =>
            MailServiceConnector.ConnectAsync(client, "127.0.0.1", server.Port, TlsMode.StartTls, CertificateTrust.System, CancellationToken.None));

        Assert.Equal(ExitCodes.Usage, ExitCodes.For(e));
        Assert.Contains("the server does not offer STARTTLS", e.Message, StringComparison.Ordinal);
        Assert.Contains("imaps://", e.Fix, StringComparison.Ordinal);
        Assert.Contains("--insecure", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_IPv6_literal_is_parsed_and_connected_to()
    {
        using var listener = new TcpListener(IPAddress.IPv6Loopback, 0);
        try
        {
            listener.Start();
        }
        catch (SocketException)
        {
            return; // no IPv6 loopback on this machine: the parse is covered by the other grammars' tests
        }

        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task serving = ServeOnceAsync(listener);
        SourceEndpoint endpoint = SourceUri.Parse($"imap://u@[::1]:{port}/INBOX", insecure: false);
        using var client = MailServiceConnector.NewImapClient();

        // The scripted server offers no STARTTLS: that refusal proves the connection reached [::1].
        var e = await Assert.ThrowsAsync<MailRecoveryException>(() =>
            MailServiceConnector.ConnectAsync(client, endpoint.Host, endpoint.Port, endpoint.Tls, CertificateTrust.System, CancellationToken.None));

        Assert.Equal(port, endpoint.Port);
        Assert.Contains("does not offer STARTTLS", e.Message, StringComparison.Ordinal);
        Assert.Equal("::1", MailServiceConnector.HostForConnect(endpoint.Host));
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_mailbox_that_does_not_exist_exits_2_naming_it_and_listing_what_exists()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("nm");
        await bed.LoadAsync(user, [TestMessages.Simple(1)]);

        CliRunner.Result r = await CliRunner.RunAsync("fetch", "--archive", dir.Sub("a"), "--source", $"imaps://{user}@127.0.0.1:{bed.ImapsPort}/Junkk",
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile);

        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("the mailbox 'Junkk' does not exist (the account has: INBOX", r.Out + r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_archive_or_target_that_is_a_regular_file_exits_2_not_75()
    {
        using var dir = new TempDirectory();
        string file = dir.Sub("a-file");
        await File.WriteAllTextAsync(file, "x");

        CliRunner.Result fetch = await CliRunner.RunAsync("fetch", "--archive", file, "--source", $"imaps://u@127.0.0.1:{bed.ImapsPort}/INBOX",
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile);
        CliRunner.Result below = await CliRunner.RunAsync("fetch", "--archive", Path.Combine(file, "sub"), "--source", $"imaps://u@127.0.0.1:{bed.ImapsPort}/INBOX",
            "--password-file", bed.PasswordFile, "--ca-file", bed.CaFile);
        using (await Core.Archive.MessageArchive.OpenAsync(dir.Sub("empty-archive"), Core.Archive.ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None))
        {
        }

        CliRunner.Result replay = await CliRunner.RunAsync("replay", "--archive", dir.Sub("empty-archive"), "--to", "maildir:" + file, "--since", "2026-01-01T00:00Z", "--yes");

        Assert.Equal(ExitCodes.Usage, fetch.ExitCode);
        Assert.Contains($"{file} is a file, not a directory", fetch.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, below.ExitCode);
        Assert.Equal(ExitCodes.Usage, replay.ExitCode);
        Assert.Contains("is a file, not a directory", replay.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_option_never_echoes_its_value_and_a_bad_value_names_no_NET_type()
    {
        CliRunner.Result unknown = await CliRunner.RunAsync("fetch", "--password", "sato-pw");
        CliRunner.Result badNumber = await CliRunner.RunAsync("status", "--days", "abc");

        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.DoesNotContain("sato-pw", unknown.Out + unknown.Error, StringComparison.Ordinal);
        Assert.Contains("unknown option '--password'", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, badNumber.ExitCode);
        Assert.Contains("--days: expects a whole number", badNumber.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", badNumber.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bug_is_an_internal_error_with_the_details_in_a_private_file_and_no_stack_trace()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var cli = new CliContext(output, error, TimeProvider.System, IsTerminal: false);

        int code = await Verb.RunAsync(cli, json: false, () => throw new InvalidOperationException("a bug"));

        Assert.Equal(ExitCodes.SomeFailed, code);
        string text = error.ToString();
        Assert.StartsWith("internal error: InvalidOperationException: a bug; details in ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        string file = text.Split("details in ")[1].Split(".log")[0] + ".log";
        Assert.Contains("   at ", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        File.Delete(file);
    }

    [Fact]
    public void The_classifier_tells_a_protocol_violation_in_words_and_an_unknown_exception_as_internal()
    {
        MailRecoveryException violation = ErrorClassifier.Classify(new ServerProtocolViolationException("it sent the body of UID 99, which was not asked for"), "acct");
        MailRecoveryException bug = ErrorClassifier.Classify(new KeyNotFoundException("The given key '99' was not present in the dictionary."), "acct");

        Assert.Equal("acct: the server broke the protocol: it sent the body of UID 99, which was not asked for.", violation.Message);
        Assert.Equal(FailureScope.Account, violation.Scope);
        Assert.Equal(FailureKind.Internal, bug.Kind);
        Assert.Contains("internal error (KeyNotFoundException", bug.Message, StringComparison.Ordinal);
        string file = bug.Message.Split("details in ")[1].TrimEnd('.');
        Assert.True(File.Exists(file));
        File.Delete(file);
    }

    private static async Task ImapWithoutStartTlsAsync(ScriptedMailServer s)
    {
        await s.SendAsync("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no TLS here");
        while (await s.ReadLineAsync() is { } line)
        {
            string tag = line.Split(' ')[0];
            if (line.Contains("CAPABILITY", StringComparison.OrdinalIgnoreCase))
                await s.SendAsync($"* CAPABILITY IMAP4rev1 AUTH=PLAIN\n{tag} OK done");
            else if (line.Contains("LOGOUT", StringComparison.OrdinalIgnoreCase))
                await s.SendAsync($"* BYE\n{tag} OK bye");
            else
                await s.SendAsync($"{tag} BAD no");
        }
    }

    private static async Task ServeOnceAsync(TcpListener listener)
    {
        using TcpClient c = await listener.AcceptTcpClientAsync();
        NetworkStream stream = c.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ipv6\r\n"));
        var reader = new StreamReader(stream, Encoding.ASCII);
        while (await reader.ReadLineAsync() is { } line)
        {
            string tag = line.Split(' ')[0];
            await stream.WriteAsync(Encoding.ASCII.GetBytes(line.Contains("CAPABILITY", StringComparison.OrdinalIgnoreCase)
                ? $"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n"
                : $"{tag} OK bye\r\n"));
        }
    }
}
