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
                try
                {
                    try
                    {
                        await BearerAsync(client, mechanism, user, await token.Source.GetAsync(forceRefresh: false, cancellationToken), cancellationToken);
                    }
                    catch (AuthenticationException) when (client.IsConnected)
                    {
                        // A token the server no longer takes (expired early, revoked, a session it ended with BYE and a
                        // reconnect with the cached token): once, a fresh one, on the same connection (IMAP and SMTP
                        // answer a refused AUTHENTICATE with NO/535 and go on). A pass that reconnects after a
                        // token-expired BYE thus resumes without counting as a failure; a second refusal is real.
                        await BearerAsync(client, mechanism, user, await token.Source.GetAsync(forceRefresh: true, cancellationToken), cancellationToken);
                    }
                }
                catch (Exception e) when (e is AuthenticationException || (e is MailKit.Net.Pop3.Pop3ProtocolException && client is MailKit.Net.Pop3.Pop3Client))
                {
                    // Classified here, where the adapter meets the library: MailKit 4.18 reports a refused XOAUTH2 or
                    // OAUTHBEARER on POP3 as a protocol error (Dovecot answers the mechanism's error challenge with
                    // -ERR), on IMAP and SMTP as an AuthenticationException whose generic fix speaks of passwords.
                    throw TokenRefused(account, mechanism, e);
                }

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

    private static Task BearerAsync(MailService client, string mechanism, string user, AccessToken access, CancellationToken cancellationToken)
    {
        var bearer = new NetworkCredential(user, access.Value);
        return client.AuthenticateAsync(mechanism == "XOAUTH2" ? new SaslMechanismOAuth2(bearer) : new SaslMechanismOAuthBearer(bearer), cancellationToken);
    }

    private static MailRecoveryException TokenRefused(string account, string mechanism, Exception e) =>
        new(FailureKind.Authentication, FailureScope.Account,
            $"{account}: the server refused the access token ({mechanism}: {e.Message.TrimEnd('.')}).",
            "run `mailrecovery auth test` for this account: it shows the token's audience, scopes or roles and user, and says which is wrong (a missing mailbox permission or a service principal not registered in Exchange also end here).",
            e);

    private static MailRecoveryException NoTokenMechanism(string account) =>
        new(FailureKind.Authentication, FailureScope.Account,
            $"{account}: the server offers neither XOAUTH2 nor OAUTHBEARER, so an access token cannot be used.",
            "sign in with a password for this account, or enable OAuth2 sign-in for the mailbox on the server.");
}
