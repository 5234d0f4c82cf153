using System.Net;
using MailKit;
using MailKit.Security;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Sources.Pop3Wire;

namespace MailRecovery.Core.Protocols;

/// <summary>
/// Signs a connected session in with a <see cref="Credential"/>, in exactly one attempt: MailKit's own loop would
/// try every mechanism with the same wrong secret; servers count each as a failure (Dovecot's penalty made it take
/// 22 s) and may lock the account. The mechanism comes from <see cref="SaslChoice"/>.
/// </summary>
public static class SignIn
{
    /// <param name="account">Names the account in an error about the credential (never holds a secret).</param>
    /// <exception cref="MailRecoveryException">The credential cannot be read, or a token cannot be used here (usage).</exception>
    public static async Task AuthenticateAsync(MailService client, string user, Credential credential, string account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(credential);
        switch (credential)
        {
            case SourceCredentials password:
                var secret = new NetworkCredential(user, password.Read(account));
                string? name = SaslChoice.ForPassword(client.AuthenticationMechanisms);
                SaslMechanism? sasl = name is null ? null : SaslMechanism.Create(name, secret);
                if (sasl is null)
                    await client.AuthenticateAsync(secret, cancellationToken); // IMAP LOGIN / POP3 USER+PASS
                else
                    await client.AuthenticateAsync(sasl, cancellationToken);
                break;
            case TokenCredential token:
                string mechanism = SaslChoice.ForToken(client.AuthenticationMechanisms) ?? throw NoTokenMechanism(account);
                AccessToken access = await token.Source.GetAsync(forceRefresh: false, cancellationToken);
                var bearer = new NetworkCredential(user, access.Value);
                await client.AuthenticateAsync(mechanism == "XOAUTH2" ? new SaslMechanismOAuth2(bearer) : new SaslMechanismOAuthBearer(bearer), cancellationToken);
                break;
            default:
                throw new ArgumentException($"no sign-in for a {credential.GetType().Name}", nameof(credential));
        }
    }

    /// <summary>The same for our own POP3 session (<see cref="Pop3Session"/>): USER/PASS or AUTH PLAIN, AUTH XOAUTH2 or OAUTHBEARER.</summary>
    public static async Task AuthenticateAsync(Pop3Session session, string user, Credential credential, string account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        switch (credential)
        {
            case SourceCredentials password:
                await session.LoginAsync(user, password.Read(account), cancellationToken);
                break;
            case TokenCredential token:
                string mechanism = SaslChoice.ForToken(session.Mechanisms) ?? throw NoTokenMechanism(account);
                AccessToken access = await token.Source.GetAsync(forceRefresh: false, cancellationToken);
                await session.BearerLoginAsync(mechanism, user, access.Value, cancellationToken);
                break;
            default:
                throw new ArgumentException($"no sign-in for a {credential?.GetType().Name}", nameof(credential));
        }
    }

    private static MailRecoveryException NoTokenMechanism(string account) =>
        new(FailureKind.Authentication, FailureScope.Account,
            $"{account}: the server offers neither XOAUTH2 nor OAUTHBEARER, so an access token cannot be used.",
            "sign in with a password for this account, or enable OAuth2 sign-in for the mailbox on the server.");
}
