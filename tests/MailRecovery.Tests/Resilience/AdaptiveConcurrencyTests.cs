using MailRecovery.Core.Resilience;

namespace MailRecovery.Tests.Resilience;

public sealed class AdaptiveConcurrencyTests
{
    [Fact]
    public void A_deferral_halves_the_limit_down_to_one_and_successes_bring_it_back_one_at_a_time()
    {
        var c = new AdaptiveConcurrency(8);
        Assert.Equal(8, c.Limit);

        c.Deferred();
        Assert.Equal(4, c.Limit);
        c.Deferred();
        c.Deferred();
        c.Deferred();
        Assert.Equal(1, c.Limit);

        // One more after as many successes in a row as the limit: 1, then 2 more for 3, then 3 more for 4.
        c.Succeeded();
        Assert.Equal(2, c.Limit);
        c.Succeeded();
        Assert.Equal(2, c.Limit);
        c.Succeeded();
        Assert.Equal(3, c.Limit);
        for (int i = 0; i < 100; i++)
            c.Succeeded();
        Assert.Equal(8, c.Limit); // never past the configured most
    }

    [Fact]
    public void A_deferral_restarts_the_count_of_successes()
    {
        var c = new AdaptiveConcurrency(8);
        c.Deferred(); // 4
        c.Succeeded();
        c.Succeeded();
        c.Succeeded();
        c.Deferred(); // 2, and the three successes before it no longer count
        c.Succeeded();
        Assert.Equal(2, c.Limit);
    }
}
