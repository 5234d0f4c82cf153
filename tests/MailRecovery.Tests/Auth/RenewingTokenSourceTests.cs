using MailRecovery.Core.Auth;
using MailRecovery.Core.Protocols;
using Microsoft.Extensions.Time.Testing;

namespace MailRecovery.Tests.Auth;

public sealed class RenewingTokenSourceTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_token_is_kept_until_the_margin_before_expiry()
    {
        var inner = new CountingSource(clock, TimeSpan.FromMinutes(60));
        using var source = new RenewingTokenSource(inner, clock);

        AccessToken first = await source.GetAsync(false, default);
        clock.Advance(TimeSpan.FromMinutes(54));
        Assert.Same(first, await source.GetAsync(false, default));
        clock.Advance(TimeSpan.FromMinutes(1)); // 5 minutes before expiry: renewed

        Assert.NotSame(first, await source.GetAsync(false, default));
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task A_forced_refresh_skips_the_cache_and_reaches_the_provider()
    {
        var inner = new CountingSource(clock, TimeSpan.FromMinutes(60));
        using var source = new RenewingTokenSource(inner, clock);

        await source.GetAsync(false, default);
        await source.GetAsync(true, default);

        Assert.Equal(2, inner.Calls);
        Assert.True(inner.LastForced);
    }

    [Fact]
    public async Task A_token_without_expiry_is_fetched_every_time()
    {
        var inner = new CountingSource(clock, null);
        using var source = new RenewingTokenSource(inner, clock);

        await source.GetAsync(false, default);
        await source.GetAsync(false, default);

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task Parallel_callers_share_one_renewal()
    {
        var inner = new CountingSource(clock, TimeSpan.FromMinutes(60)) { Delay = TimeSpan.FromMilliseconds(100) };
        using var source = new RenewingTokenSource(inner, clock);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => source.GetAsync(false, default).AsTask()));

        Assert.Equal(1, inner.Calls);
    }

    private sealed class CountingSource(TimeProvider clock, TimeSpan? lifetime) : IAccessTokenSource
    {
        public int Calls { get; private set; }

        public bool LastForced { get; private set; }

        public TimeSpan Delay { get; init; }

        public async ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            Calls++;
            LastForced = forceRefresh;
            if (Delay > TimeSpan.Zero)
                await Task.Delay(Delay, cancellationToken);
            return new AccessToken($"token-{Calls}", clock.GetUtcNow() + lifetime);
        }
    }
}
