using MailRecovery.Core.Sources;

namespace MailRecovery.Tests.Sources;

public class ReleasedMemoryCollectorTests
{
    [Fact]
    public void Collects_once_the_released_downloads_reach_the_threshold_and_then_counts_again()
    {
        var collector = new ReleasedMemoryCollector();
        int before = GC.CollectionCount(2);

        collector.Released(ReleasedMemoryCollector.Threshold / 2);
        collector.Released(ReleasedMemoryCollector.Threshold / 2);
        int afterThreshold = GC.CollectionCount(2);

        Assert.True(afterThreshold > before, "a full collection should run once the threshold is reached");

        // The count starts again from zero: a negative size (unknown) counts as nothing.
        collector.Released(-1);
        collector.Released(ReleasedMemoryCollector.Threshold);
        Assert.True(GC.CollectionCount(2) > afterThreshold);
    }
}
