using System.Net;
using System.Net.Sockets;
using System.Text;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.Replay.Targets;

namespace MailRecovery.Tests.Protocols;

/// <summary>What the grammar's new values do on the wire: SMTP <c>?tls=starttls</c> and <c>?tls=none</c>, LMTP to an IPv6 literal.</summary>
public sealed class MailUriConnectTests
{
    private static SmtpTarget Smtp(string uri) =>
        new(uri, ["a@example.test"], null, false, SourceCredentials.None, CertificateTrust.System, insecure: false, TimeProvider.System);

    [Fact]
    public async Task Smtp_tls_starttls_refuses_a_server_that_does_not_offer_it()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake ESMTP");
            await s.ExpectAsync("EHLO", "250-fake\n250 8BITMIME");
            await s.DrainAsync();
        });
        await using SmtpTarget target = Smtp($"smtp://127.0.0.1:{server.Port}?tls=starttls");

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => target.OpenAsync(CancellationToken.None));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("does not offer STARTTLS", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smtp_without_the_parameter_still_goes_on_without_STARTTLS_when_not_offered()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake ESMTP");
            await s.ExpectAsync("EHLO", "250-fake\n250 8BITMIME");
            await s.DrainAsync();
        });
        await using SmtpTarget target = Smtp($"smtp://127.0.0.1:{server.Port}");

        await target.OpenAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Smtp_tls_none_does_not_start_TLS_even_when_offered()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake ESMTP");
            await s.ExpectAsync("EHLO", "250-fake\n250 STARTTLS");
            if (await s.ReadLineAsync() is string line && line.StartsWith("STARTTLS", StringComparison.OrdinalIgnoreCase))
                await s.SendAsync("454 4.7.0 not now");
            await s.DrainAsync();
        });
        await using (SmtpTarget target = Smtp($"smtp://127.0.0.1:{server.Port}?tls=none"))
            await target.OpenAsync(CancellationToken.None);

        await server.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(server.Received, l => l.StartsWith("STARTTLS", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Lmtp_connects_to_an_IPv6_literal()
    {
        using var listener = new TcpListener(IPAddress.IPv6Loopback, 0);
        try
        {
            listener.Start();
        }
        catch (SocketException)
        {
            return; // no IPv6 loopback on this machine: the parse is covered by MailUriTests
        }

        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<string?> serving = ServeLhloAsync(listener);
        await using (var target = new LmtpTarget($"lmtp://[::1]:{port}", ["a@example.test"], null, false, TimeProvider.System))
            await target.OpenAsync(CancellationToken.None);

        Assert.StartsWith("LHLO ", await serving.WaitAsync(TimeSpan.FromSeconds(10)), StringComparison.Ordinal);
    }

    private static async Task<string?> ServeLhloAsync(TcpListener listener)
    {
        using TcpClient c = await listener.AcceptTcpClientAsync();
        NetworkStream stream = c.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("220 fake LMTP\r\n"));
        var reader = new StreamReader(stream, Encoding.ASCII);
        string? lhlo = await reader.ReadLineAsync();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("250-fake\r\n250 8BITMIME\r\n"));
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("QUIT", StringComparison.OrdinalIgnoreCase))
                await stream.WriteAsync(Encoding.ASCII.GetBytes("221 bye\r\n"));
        }

        return lhlo;
    }
}
