namespace MailRecovery.Core.Protocols;

/// <summary>
/// Yields an access token for a sign-in: a token file, a token command, or an identity platform's library
/// (Core/Auth/ implements them). Implementers throw <see cref="Errors.MailRecoveryException"/> with a fix when no
/// token can be had; the sessions ask once per sign-in.
/// </summary>
public interface IAccessTokenSource
{
    /// <param name="forceRefresh">True after the server refused or ended a session over the token: do not hand back a cached one.</param>
    ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken);
}
