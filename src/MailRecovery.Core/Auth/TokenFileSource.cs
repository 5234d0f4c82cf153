using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Auth;

/// <summary>
/// An access token kept in a file by another program (oama, pizauth, a cron job), re-read on every call so a
/// renewed token is picked up without a restart. The file must be 0600 (as password files). Its expiry is read
/// from the token when it is a JWT (Microsoft's are); an opaque token (Google's) has none.
/// </summary>
public sealed class TokenFileSource(string path) : IAccessTokenSource
{
    public string Path { get; } = path;

    /// <inheritdoc/>
    /// <remarks><paramref name="forceRefresh"/> changes nothing: the file is read every time anyway.</remarks>
    public async ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        string token = (await SecretFileReader.ReadFirstLineAsync(Path, "token file", cancellationToken)).Trim();
        return new AccessToken(token, JwtClaims.ExpiryOf(token));
    }
}
