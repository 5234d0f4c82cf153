using System.Text;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;

namespace MailRecovery.Core.Auth;

/// <summary>
/// Delegated access tokens from the Microsoft identity platform through MSAL: one device code sign-in
/// (<see cref="SignInAsync"/>, RFC 8628), then unattended renewals with the refresh token. Microsoft rotates the
/// refresh token on every use, so MSAL's token cache is written to the <see cref="RefreshTokenStore"/> (atomic,
/// 0600, fsynced) every time it changes, before the new access token is used; a restarted process reads it back.
/// </summary>
public sealed class MicrosoftDelegatedSource : IAccessTokenSource
{
    private readonly MicrosoftDelegatedOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly RefreshTokenStore store;
    private readonly IPublicClientApplication app;
    private bool warned;

    public MicrosoftDelegatedSource(MicrosoftDelegatedOptions options, TimeProvider clock, ILogger logger, HttpClient? http = null)
    {
        this.options = options;
        this.clock = clock;
        this.logger = logger;
        store = new RefreshTokenStore(options.CacheFile);
        PublicClientApplicationBuilder builder = PublicClientApplicationBuilder.Create(options.ClientId)
            .WithAuthority(new Uri(options.AuthorityHost, options.TenantId).AbsoluteUri)
            .WithInstanceDiscovery(options.InstanceDiscovery);
        if (http is not null)
            builder = builder.WithHttpClientFactory(new MsalHttpClientFactory(http));
        app = builder.Build();
        app.UserTokenCache.SetBeforeAccessAsync(LoadCacheAsync);
        app.UserTokenCache.SetAfterAccessAsync(SaveCacheAsync);
    }

    /// <summary>
    /// The interactive sign-in: <paramref name="show"/> gets Microsoft's instruction ("open … and enter the code
    /// …"); returns the signed-in user's name once the user has approved. The cache is saved on success.
    /// </summary>
    public async Task<string> SignInAsync(Func<string, Task> show, CancellationToken cancellationToken)
    {
        try
        {
            AuthenticationResult result = await app.AcquireTokenWithDeviceCode(options.Scopes, code => show(code.Message))
                .ExecuteAsync(cancellationToken);
            return result.Account.Username;
        }
        catch (MsalException e)
        {
            throw MicrosoftErrors.Classify(e);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        try
        {
            IAccount? account = (await app.GetAccountsAsync()).FirstOrDefault()
                ?? throw new MailRecoveryException(FailureKind.Authentication, FailureScope.Account,
                    $"Microsoft: not signed in ({store.Path} holds no account).", "sign in once with the device code (mailrecovery auth login ACCOUNT -c CONFIG).");
            AuthenticationResult result = await app.AcquireTokenSilent(options.Scopes, account)
                .WithForceRefresh(forceRefresh)
                .ExecuteAsync(cancellationToken);
            return new AccessToken(result.AccessToken, result.ExpiresOn);
        }
        catch (MsalException e)
        {
            throw MicrosoftErrors.Classify(e);
        }
    }

    private async Task LoadCacheAsync(TokenCacheNotificationArgs args)
    {
        StoredGrant? grant = await store.LoadAsync(args.CancellationToken);
        if (grant is null)
            return;
        if (!warned && RefreshTokenStore.InactivityWarning(grant, clock.GetUtcNow()) is { } warning)
        {
            logger.LogWarning("Microsoft: {Warning} ({Store})", warning, store.Path);
            warned = true;
        }

        args.TokenCache.DeserializeMsalV3(Encoding.UTF8.GetBytes(grant.Secret));
    }

    // HasStateChanged: a new access token, and with it (Microsoft rotates) a new refresh token.
    private async Task SaveCacheAsync(TokenCacheNotificationArgs args)
    {
        if (!args.HasStateChanged)
            return;
        string cache = Encoding.UTF8.GetString(args.TokenCache.SerializeMsalV3());
        await store.SaveAsync(new StoredGrant(cache, clock.GetUtcNow()), args.CancellationToken);
    }
}
