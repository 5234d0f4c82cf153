using MailKit;
using System.Net;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRecovery.Core.Sources.InputGuard;

namespace MailRecovery.Core.Sources;

/// <summary>
/// Connects and logs in any MailKit client (IMAP, POP3, SMTP) the same way: TLS as the endpoint demands,
/// the extra trust of <see cref="CertificateTrust"/>, and an I/O timeout. Clients come from the New… factories
/// here, which put a <see cref="ServerInputGuard"/> under MailKit's reading, and connect only here, which refuses
/// a client without one: no server can make a client hold an endless line.
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

    public static Task ConnectAsync(MailService client, string host, int port, TlsMode tls, CertificateTrust trust, CancellationToken cancellationToken) =>
        ConnectAsync(client, host, port, ToSocketOptions(tls), trust, cancellationToken);

    /// <exception cref="InvalidOperationException">The client was not made by a New… factory (a bug, not a user error).</exception>
    public static async Task ConnectAsync(MailService client, string host, int port, SecureSocketOptions options, CertificateTrust trust, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(trust);
        if (client.ProtocolLogger is not ServerInputGuard)
            throw new InvalidOperationException($"a {client.GetType().Name} without a ServerInputGuard; make it with MailServiceConnector.New….");
        client.Timeout = (int)IoTimeout.TotalMilliseconds;
        client.ServerCertificateValidationCallback = trust.Validate;
        await client.ConnectAsync(host, port, options, cancellationToken);
    }

    /// <summary>SASL mechanisms we can use with a password, best first.</summary>
    private static readonly string[] Mechanisms = ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN"];

    /// <summary>
    /// Logs in with exactly one attempt. MailKit's own loop would try every mechanism with the same wrong
    /// password; servers count each as a failure (Dovecot's penalty made it take 22 s) and may lock the account.
    /// </summary>
    public static async Task LoginAsync(MailService client, string user, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var credentials = new NetworkCredential(user, password);
        string? name = Mechanisms.FirstOrDefault(client.AuthenticationMechanisms.Contains);
        SaslMechanism? mechanism = name is null ? null : SaslMechanism.Create(name, credentials);
        if (mechanism is null)
            await client.AuthenticateAsync(credentials, cancellationToken); // IMAP LOGIN / POP3 USER+PASS
        else
            await client.AuthenticateAsync(mechanism, cancellationToken);
    }
}
