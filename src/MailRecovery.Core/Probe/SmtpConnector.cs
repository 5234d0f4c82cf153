using MailKit.Net.Smtp;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Probe;

/// <summary>
/// Connects and logs in to an <see cref="SmtpEndpoint"/> for the alias probe and the mail alert alike, through the
/// protocol layer's <see cref="SmtpSessions"/>, with the wording both share: <c>smtp://</c> uses STARTTLS when the
/// server offers it, as MTAs do, and a password is never sent unencrypted unless the endpoint is insecure.
/// </summary>
public static class SmtpConnector
{
    /// <returns>A connected client, logged in when the endpoint names a user; the caller disposes it.</returns>
    /// <exception cref="MailRecoveryException">The server offers no TLS and a password would be sent in clear text.</exception>
    public static async Task<SmtpClient> ConnectAsync(SmtpEndpoint endpoint, Credential credentials, CertificateTrust trust, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        SmtpClient smtp = MailServiceConnector.NewSmtpClient();
        try
        {
            await SmtpSessions.OpenAsync(smtp, endpoint, credentials, trust, new SmtpRefusals(endpoint.ToString(),
                () => MailRecoveryException.Usage($"{endpoint} offers no TLS, and the password would cross the network in clear text.", "use smtps://, a server with STARTTLS, or --insecure on a trusted network.")),
                cancellationToken);
            return smtp;
        }
        catch
        {
            smtp.Dispose();
            throw;
        }
    }
}
