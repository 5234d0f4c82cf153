namespace MailRecovery.Core.Auth;

/// <summary>
/// Where a session's OAuth2 access token comes from: a file, a command, or an identity provider. Called before
/// every sign-in; implementations that talk to a provider cache the token until shortly before it expires.
/// </summary>
public interface IAccessTokenSource
{
    /// <summary>
    /// The token to sign in with. <paramref name="forceRefresh"/> is true after the server refused the previous
    /// one (expired or revoked early): skip any cache and ask the provider again.
    /// </summary>
    /// <exception cref="Errors.MailRecoveryException">
    /// No token could be had: <see cref="Errors.FailureKind.Authentication"/> when the provider refused (the fix
    /// names what to change), <see cref="Errors.FailureKind.Transient"/> when it could not be reached,
    /// <see cref="Errors.FailureKind.Usage"/> for a local file or command problem. The message never holds a token
    /// or secret.
    /// </exception>
    ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken);
}
