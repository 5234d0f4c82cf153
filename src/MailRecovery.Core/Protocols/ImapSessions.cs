using MailKit.Net.Imap;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Protocols;

/// <summary>
/// The one way to an IMAP session (RFC 9051): connect with the endpoint's TLS (mismatches told as such, greeting
/// timeout, input guard: <see cref="MailServiceConnector"/>), then sign in (<see cref="SignIn"/>). Every IMAP
/// reader, watcher, observer, target and check opens its session here.
/// </summary>
public static class ImapSessions
{
    /// <param name="client">Made by <see cref="MailServiceConnector.NewImapClient"/> (callers keep it, with its protocol log, across reconnects).</param>
    /// <param name="account">Names the account in an error about the credential.</param>
    /// <exception cref="Errors.MailRecoveryException">A TLS mismatch or an unreadable credential (usage); MailKit's exceptions otherwise.</exception>
    public static async Task OpenAsync(ImapClient client, SourceEndpoint endpoint, Credential credential, CertificateTrust trust, string account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        await MailServiceConnector.ConnectAsync(client, endpoint.Host, endpoint.Port, endpoint.Tls, trust, cancellationToken);
        await SignIn.AuthenticateAsync(client, endpoint.User, credential, account, cancellationToken);
    }

    /// <summary>As above, naming the account by its key.</summary>
    public static Task OpenAsync(ImapClient client, SourceEndpoint endpoint, Credential credential, CertificateTrust trust, CancellationToken cancellationToken) =>
        OpenAsync(client, endpoint, credential, trust, endpoint?.AccountKey ?? string.Empty, cancellationToken);
}
