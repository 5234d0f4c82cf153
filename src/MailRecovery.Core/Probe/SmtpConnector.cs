using MailKit.Net.Smtp;
using MailKit.Security;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Probe;

/// <summary>
/// Connects and logs in to an <see cref="SmtpEndpoint"/>, for the alias probe and the mail alert alike, so that one
/// rule holds for both: <c>smtp://</c> uses STARTTLS when the server offers it, as MTAs do, and a password is never
/// sent unencrypted unless the endpoint is insecure.
/// </summary>
public static class SmtpConnector
{
    /// <returns>A connected client, logged in when the endpoint names a user; the caller disposes it.</returns>
    /// <exception cref="MailRecoveryException">The server offers no TLS and a password would be sent in clear text.</exception>
    public static async Task<SmtpClient> ConnectAsync(SmtpEndpoint endpoint, SourceCredentials credentials, CertificateTrust trust, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credentials);
        SmtpClient smtp = MailServiceConnector.NewSmtpClient();
        try
        {
            SecureSocketOptions tls = endpoint.Tls == TlsMode.Implicit ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTlsWhenAvailable;
            await MailServiceConnector.ConnectAsync(smtp, endpoint.Host, endpoint.Port, tls, trust, cancellationToken);
            if (endpoint.User is not null)
            {
                if (!smtp.IsSecure && !endpoint.Insecure)
                    throw MailRecoveryException.Usage($"{endpoint} offers no TLS, and the password would cross the network in clear text.", "use smtps://, a server with STARTTLS, or --insecure on a trusted network.");
                await MailServiceConnector.LoginAsync(smtp, endpoint.User, credentials.Read(endpoint.ToString()), cancellationToken);
            }

            return smtp;
        }
        catch
        {
            smtp.Dispose();
            throw;
        }
    }
}
