using MailKit.Net.Smtp;
using MailKit.Security;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Protocols;

/// <summary>
/// The one way to an SMTP session (RFC 5321) for replay targets, alias verify's submission and config check:
/// connect (<c>smtps</c>: TLS from the first byte; <c>smtp</c>/<c>submission</c>: STARTTLS when the server offers
/// it, as MTAs do, RFC 3207), then sign in when the endpoint names a user. The rule that a password never crosses
/// the network unencrypted unless the endpoint was made insecure lives here and only here.
/// </summary>
public static class SmtpSessions
{
    /// <param name="client">Made by <see cref="MailServiceConnector.NewSmtpClient"/> or a subclass with its guard.</param>
    /// <param name="refusals">The caller's words for a refused sign-in (its flag and key names differ).</param>
    /// <exception cref="MailRecoveryException">A TLS mismatch, a sign-in that would be unencrypted, or no AUTH offered (usage).</exception>
    public static async Task OpenAsync(SmtpClient client, SmtpEndpoint endpoint, Credential credential, CertificateTrust trust, SmtpRefusals refusals, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(refusals);
        SecureSocketOptions tls = endpoint.Tls switch
        {
            TlsMode.Implicit => SecureSocketOptions.SslOnConnect,
            TlsMode.None => SecureSocketOptions.None, // ?tls=none: a login here was allowed by --insecure at parse time
            _ => endpoint.RequireStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable,
        };
        await MailServiceConnector.ConnectAsync(client, endpoint.Host, endpoint.Port, tls, trust, cancellationToken);
        if (endpoint.User is null)
            return;
        if (!client.IsSecure && !endpoint.Insecure)
        {
            await DropAsync(client);
            throw refusals.Cleartext();
        }

        if (refusals.NoLogin is not null && !client.Capabilities.HasFlag(SmtpCapabilities.Authentication))
        {
            await DropAsync(client);
            throw refusals.NoLogin();
        }

        await SignIn.AuthenticateAsync(client, endpoint.User, credential, refusals.Account, cancellationToken);
    }

    /// <summary>Closes without QUIT: nothing was sent, and a refused session is not worth a round trip.</summary>
    private static async Task DropAsync(SmtpClient client)
    {
        try
        {
            await client.DisconnectAsync(false, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or SmtpProtocolException or TimeoutException or MailKit.ServiceNotConnectedException)
        {
            // Already gone: that is what we wanted.
        }
    }
}
