using MailKit.Net.Pop3;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Sources.Pop3Wire;

namespace MailRecovery.Core.Protocols;

/// <summary>
/// The one way to a POP3 session (RFC 1939), on our own <see cref="Pop3Session"/> (fetch, primary observer,
/// audit) or MailKit's <see cref="Pop3Client"/> (probe watcher, audit, config check): connect with the endpoint's
/// TLS (STLS, RFC 2595), then sign in (<see cref="SignIn"/>).
/// </summary>
public static class Pop3Sessions
{
    /// <exception cref="Errors.MailRecoveryException">An unreadable credential (usage); the session's exceptions otherwise.</exception>
    public static async Task OpenAsync(Pop3Session session, SourceEndpoint endpoint, Credential credential, CertificateTrust trust, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(endpoint);
        await session.ConnectAsync(endpoint.Host, endpoint.Port, endpoint.Tls, trust, cancellationToken);
        await SignIn.AuthenticateAsync(session, endpoint.User, credential, endpoint.AccountKey, cancellationToken);
    }

    /// <param name="client">Made by <see cref="MailServiceConnector.NewPop3Client"/>.</param>
    /// <param name="account">Names the account in an error about the credential.</param>
    /// <exception cref="Errors.MailRecoveryException">A TLS mismatch or an unreadable credential (usage); MailKit's exceptions otherwise.</exception>
    public static async Task OpenAsync(Pop3Client client, SourceEndpoint endpoint, Credential credential, CertificateTrust trust, string account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        await MailServiceConnector.ConnectAsync(client, endpoint.Host, endpoint.Port, endpoint.Tls, trust, cancellationToken);
        await SignIn.AuthenticateAsync(client, endpoint.User, credential, account, cancellationToken);
    }
}
