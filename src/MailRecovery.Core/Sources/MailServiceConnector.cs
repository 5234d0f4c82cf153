using MailKit;
using System.Net;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRecovery.Core.Sources.InputGuard;

namespace MailRecovery.Core.Sources;

/// <summary>
/// Connects any MailKit client (IMAP, POP3, SMTP) the same way: TLS as the endpoint demands,
/// the extra trust of <see cref="CertificateTrust"/>, and an I/O timeout. Clients come from the New… factories
/// here, which put a <see cref="ServerInputGuard"/> under MailKit's reading, and connect only here, which refuses
/// a client without one: no server can make a client hold an endless line. The sessions of <c>Protocols/</c>
/// (<see cref="Protocols.ImapSessions"/>, <see cref="Protocols.Pop3Sessions"/>, <see cref="Protocols.SmtpSessions"/>)
/// connect through here and then sign in.
/// </summary>
public static class MailServiceConnector
{
    /// <summary>MailKit's per-read/write timeout. A stalled server is cut off after this long.</summary>
    public static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(60);

    public static SecureSocketOptions ToSocketOptions(TlsMode tls) => tls switch
    {
        TlsMode.Implicit => SecureSocketOptions.SslOnConnect,
        TlsMode.StartTls => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.None,
    };

    /// <summary>An IMAP client whose input is bounded; <paramref name="protocolLog"/> still sees every byte.</summary>
    public static ImapClient NewImapClient(IProtocolLogger? protocolLog = null) => new(new ServerInputGuard(ServerFraming.Imap, protocolLog));

    /// <summary>A POP3 client whose input is bounded.</summary>
    public static Pop3Client NewPop3Client(IProtocolLogger? protocolLog = null) => new(new ServerInputGuard(ServerFraming.Pop3, protocolLog));

    /// <summary>An SMTP client whose input is bounded.</summary>
    public static SmtpClient NewSmtpClient(IProtocolLogger? protocolLog = null) => new(new ServerInputGuard(ServerFraming.Smtp, protocolLog));

    /// <summary>
    /// How long a plain or STARTTLS connection may wait for the server's greeting (RFC 9051 §7.1, RFC 1939 §4,
    /// RFC 5321 §3.1) before it is looked at as a possible implicit-TLS port (<see cref="TlsProbe"/>).
    /// </summary>
    /// <value>The default value is 15 seconds, half the connect timeout, so the mix-up is told within it.</value>
    public static readonly TimeSpan GreetingTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Connects with the TLS the endpoint asks for. A TLS mismatch is a usage error told as one, not a certificate
    /// or a timeout: implicit TLS to a plain port, STARTTLS to an implicit-TLS port, STARTTLS not offered.
    /// </summary>
    /// <exception cref="Errors.MailRecoveryException">A TLS mismatch (usage); MailKit's exceptions otherwise.</exception>
    public static Task ConnectAsync(MailService client, string host, int port, TlsMode tls, CertificateTrust trust, CancellationToken cancellationToken) =>
        ConnectAsync(client, host, port, ToSocketOptions(tls), trust, cancellationToken);

    /// <summary>As above, with MailKit's options (SMTP relays use <see cref="SecureSocketOptions.StartTlsWhenAvailable"/>, as MTAs do).</summary>
    /// <exception cref="InvalidOperationException">The client was not made by a New… factory (a bug, not a user error).</exception>
    public static async Task ConnectAsync(MailService client, string host, int port, SecureSocketOptions options, CertificateTrust trust, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(trust);
        if (client.ProtocolLogger is not ServerInputGuard)
            throw new InvalidOperationException($"a {client.GetType().Name} without a ServerInputGuard; make it with MailServiceConnector.New….");
        client.Timeout = (int)IoTimeout.TotalMilliseconds;
        client.ServerCertificateValidationCallback = trust.Validate;
        string address = HostForConnect(host);
        (string plain, string implicitTls, int implicitPort) = Schemes(client);
        using var greeting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options != SecureSocketOptions.SslOnConnect)
            greeting.CancelAfter(GreetingTimeout);
        try
        {
            // Our own connection under MailKit (SocketTransport): 64 KiB receives instead of 4 KiB ones, TCP_NODELAY
            // (MailKit's socket has Nagle on, which held each SMTP message's last segment for the server's delayed
            // ACK, ~40 ms: one replay connection did 21 messages/s, now 267), MailKit's timeouts kept. MailKit still
            // does the TLS, STARTTLS and the certificate check over it.
            SocketTransport transport = await SocketTransport.ConnectAsync(address, port, IoTimeout, greeting.Token);
            try
            {
                await client.ConnectAsync(transport, address, port, options, greeting.Token);
            }
            catch
            {
                await transport.DisposeAsync();
                throw;
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            if (await TlsProbe.SpeaksTlsAsync(address, port, cancellationToken))
            {
                throw new Errors.MailRecoveryException(Errors.FailureKind.Usage, Errors.FailureScope.Account,
                    $"{host}:{port}: TLS mismatch: this port speaks TLS from the first byte (implicit TLS), but {plain}:// asks for {(options == SecureSocketOptions.None ? "no TLS" : "STARTTLS")}.",
                    $"use {implicitTls}:// for port {port}, or {plain}:// with the server's STARTTLS port.", e);
            }

            throw new TimeoutException($"{host}:{port} sent no greeting within {GreetingTimeout.TotalSeconds:0} s", e);
        }
        catch (SslHandshakeException e) when (options == SecureSocketOptions.SslOnConnect && e.ServerCertificate is null)
        {
            throw new Errors.MailRecoveryException(Errors.FailureKind.Usage, Errors.FailureScope.Account,
                $"{host}:{port}: TLS handshake failed: the port does not speak TLS (is it a STARTTLS port? use {plain}://).",
                $"use {plain}:// (STARTTLS) for port {port}, or {implicitTls}:// with the implicit-TLS port ({implicitPort}).", e);
        }
        catch (NotSupportedException e) when (options == SecureSocketOptions.StartTls)
        {
            // MailKit refuses before sending the password when STARTTLS was asked for and is not offered.
            throw new Errors.MailRecoveryException(Errors.FailureKind.Usage, Errors.FailureScope.Account,
                $"{host}:{port}: the server does not offer STARTTLS, so the password would cross the network in clear text.",
                $"use {implicitTls}:// (implicit TLS, usually port {implicitPort}), or {plain}://...?tls=none with --insecure on a trusted network.", e);
        }
    }

    /// <summary>The host as a socket takes it: an IPv6 literal without the brackets a URI needs (<c>[::1]</c> → <c>::1</c>).</summary>
    public static string HostForConnect(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Length > 2 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
    }

    private static (string Plain, string Implicit, int ImplicitPort) Schemes(MailService client) => client switch
    {
        MailKit.Net.Pop3.Pop3Client => ("pop3", "pop3s", 995),
        MailKit.Net.Smtp.SmtpClient => ("smtp", "smtps", 465),
        _ => ("imap", "imaps", 993),
    };
}
