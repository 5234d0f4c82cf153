using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Auth;

/// <summary>
/// Keeps a token until <see cref="Margin"/> before it expires and only then asks <c>inner</c> for a new one, so a
/// session never starts with a token about to die, and callers that connect in parallel share one renewal. A token
/// without an expiry is not kept: the inner source is asked every time.
/// </summary>
public sealed class RenewingTokenSource(IAccessTokenSource inner, TimeProvider clock, TimeSpan? margin = null) : IAccessTokenSource, IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private AccessToken? current;

    /// <summary>How long before expiry a token counts as used up.</summary>
    /// <value>The default is 5 minutes, MSAL's own margin: a fetch pass signs in once and then works for minutes.</value>
    /// <summary>The source renewed (for <c>auth login</c>, which signs a delegated source in).</summary>
    public IAccessTokenSource Inner => inner;

    public TimeSpan Margin { get; } = margin ?? TimeSpan.FromMinutes(5);

    /// <inheritdoc/>
    public async ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!forceRefresh && current?.ExpiresOn is { } expires && clock.GetUtcNow() < expires - Margin)
                return current;
            current = await inner.GetAsync(forceRefresh, cancellationToken);
            return current;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
