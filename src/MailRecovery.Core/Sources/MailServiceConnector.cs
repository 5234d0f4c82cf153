using MailKit;
using MailKit.Security;

namespace MailRecovery.Core.Sources;

/// <summary>
/// Connects and logs in any MailKit client (IMAP, POP3, SMTP) the same way: TLS as the endpoint demands,
/// the extra trust of <see cref="CertificateTrust"/>, and an I/O timeout.
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

    public static async Task ConnectAsync(MailService client, string host, int port, TlsMode tls, CertificateTrust trust, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(trust);
        client.Timeout = (int)IoTimeout.TotalMilliseconds;
        client.ServerCertificateValidationCallback = trust.Validate;
        await client.ConnectAsync(host, port, ToSocketOptions(tls), cancellationToken);
    }

    public static async Task LoginAsync(MailService client, string user, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        // XOAUTH2 and friends need tokens we do not have; plain SASL mechanisms over TLS are what remains.
        client.AuthenticationMechanisms.Remove("XOAUTH2");
        client.AuthenticationMechanisms.Remove("OAUTHBEARER");
        await client.AuthenticateAsync(user, password, cancellationToken);
    }
}
