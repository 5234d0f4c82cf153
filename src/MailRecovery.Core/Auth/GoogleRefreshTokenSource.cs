using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Core.Auth;

/// <summary>
/// Access tokens from a stored refresh token (RFC 6749 section 6), Google's installed-app flow. When the endpoint
/// returns a new refresh token (rotation) it is saved, durably, before the access token is handed out; every use
/// is recorded so <see cref="RefreshTokenStore.InactivityWarning"/> can warn before an unused token dies.
/// </summary>
public sealed class GoogleRefreshTokenSource(GoogleRefreshTokenOptions options, HttpClient http, TimeProvider clock, ILogger logger) : IAccessTokenSource
{
    private readonly TokenEndpointClient endpoint = new(http, "Google");
    private readonly RefreshTokenStore store = new(options.StoreFile);

    /// <summary>
    /// Starts the one interactive sign-in that stores the refresh token this source reads (see <see cref="GoogleSignIn"/>);
    /// it listens on the loopback interface until disposed.
    /// </summary>
    /// <param name="expectedUser">The account's login name (login hint, and checked against who signs in).</param>
    /// <param name="port">The loopback port for the redirect; 0 for an ephemeral one.</param>
    public GoogleSignIn BeginSignIn(string? expectedUser, int port) => new(options, http, clock, expectedUser, port);

    /// <inheritdoc/>
    public async ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        StoredGrant grant = await store.LoadAsync(cancellationToken)
            ?? throw new MailRecoveryException(FailureKind.Authentication, FailureScope.Account,
                $"Google: no refresh token in {store.Path}.", "sign in once to store one: mailrecovery auth login ACCOUNT -c CONFIG (docs/oauth2.md, Google).");
        DateTimeOffset now = clock.GetUtcNow();
        if (RefreshTokenStore.InactivityWarning(grant, now, "Google", RefreshTokenStore.GoogleInactivityLimit) is { } warning)
            logger.LogWarning("Google: {Warning} ({Store})", warning, store.Path);

        string secret = await SecretFileReader.ReadFirstLineAsync(options.ClientSecretFile, "client secret file", cancellationToken);
        TokenEndpointReply reply = await endpoint.PostAsync(options.TokenUri,
        [
            new("grant_type", "refresh_token"),
            new("refresh_token", grant.Secret),
            new("client_id", options.ClientId),
            new("client_secret", secret),
        ], cancellationToken);

        // Saved before the access token is used: once rotated, the old refresh token is dead at the provider.
        string refreshToken = string.IsNullOrEmpty(reply.RefreshToken) ? grant.Secret : reply.RefreshToken;
        await store.SaveAsync(new StoredGrant(refreshToken, now), cancellationToken);
        return new AccessToken(reply.AccessToken!, reply.ExpiresIn is { } s ? now.AddSeconds(s) : null);
    }
}
