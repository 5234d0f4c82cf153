using MailRecovery.Core.Archive;
using MailRecovery.Core.IO;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Archive;

public sealed class FlockObserverTests
{
    [Fact]
    public void A_held_archive_lock_is_seen_without_taking_it_and_a_released_one_is_not()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("lock");
        using (ArchiveLock.Acquire(path))
            Assert.True(FlockObserver.IsHeld(path));
        Assert.False(FlockObserver.IsHeld(path));
    }

    [Theory]
    [InlineData("1: FLOCK  ADVISORY  WRITE 4242 00:2e:17 0 EOF", true)]
    [InlineData("1: -> FLOCK  ADVISORY  WRITE 4243 00:2e:17 0 EOF", false)]
    [InlineData("2: FLOCK  ADVISORY  WRITE 4242 00:2f:17 0 EOF", false)]
    [InlineData("3: POSIX  ADVISORY  WRITE 4242 00:2e:17 0 EOF", false)]
    [InlineData("4: FLOCK  ADVISORY  WRITE 4242 00:2e:170 0 EOF", false)]
    public void Only_a_held_flock_on_the_same_device_and_inode_counts(string line, bool held) =>
        Assert.Equal(held, FlockObserver.HoldsFlock(line, 0, 0x2e, 17));
}
