using MailRecovery.Core.Resilience;

namespace MailRecovery.Tests.Resilience;

public sealed class AdaptiveBatchLimitTests
{
    [Fact]
    public void Failures_halve_the_limit_down_to_one_message()
    {
        var limit = new AdaptiveBatchLimit(200, 32L * 1024 * 1024);
        int[] seen = Enumerable.Range(0, 10).Select(_ =>
        {
            limit.Failed();
            return limit.Messages;
        }).ToArray();

        Assert.Equal([100, 50, 25, 12, 6, 3, 1, 1, 1, 1], seen);
        Assert.True(limit.Bytes >= 1);
    }

    [Fact]
    public void After_a_failure_it_doubles_up_to_the_halved_size_then_grows_by_one()
    {
        var limit = new AdaptiveBatchLimit(50, 16L * 1024 * 1024);
        limit.Failed(); // 25, threshold 25
        limit.Failed(); // 12, threshold 12
        limit.Failed(); // 6, threshold 6
        Assert.Equal(6, limit.Messages);

        limit.Succeeded();
        Assert.Equal(7, limit.Messages); // at the threshold: one more

        limit.Failed(); // 3, threshold 3
        limit.Succeeded();
        Assert.Equal(4, limit.Messages);

        for (int i = 0; i < 100; i++)
            limit.Succeeded();
        Assert.Equal(50, limit.Messages);
        Assert.Equal(16L * 1024 * 1024, limit.Bytes);
    }

    [Fact]
    public void A_small_start_doubles_back_to_the_most()
    {
        var limit = new AdaptiveBatchLimit(200, 32L * 1024 * 1024, startSmall: true);
        Assert.Equal(25, limit.Messages);
        Assert.Equal(4L * 1024 * 1024, limit.Bytes);

        limit.Succeeded();
        limit.Succeeded();
        limit.Succeeded();
        Assert.Equal(200, limit.Messages);
        Assert.Equal(32L * 1024 * 1024, limit.Bytes);
    }

    [Fact]
    public void An_empty_batch_takes_any_message_and_a_full_one_none()
    {
        var limit = new AdaptiveBatchLimit(2, 100);
        Assert.False(limit.IsFull(0, 0, 1000));
        Assert.False(limit.IsFull(1, 40, 60));
        Assert.True(limit.IsFull(1, 40, 61));
        Assert.True(limit.IsFull(2, 10, 0));
        Assert.False(limit.IsFull(1, 40, -1)); // unknown size counts as 0
    }
}
