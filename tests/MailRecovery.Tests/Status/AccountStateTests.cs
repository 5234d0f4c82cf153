using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Time.Testing;

namespace MailRecovery.Tests.Status;

/// <summary>The index keeps when an account's run of failures began, not only its latest error.</summary>
public sealed class AccountStateTests
{
    [Fact]
    public async Task Failing_since_is_the_first_error_after_the_last_success_and_a_success_clears_it()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, clock, CancellationToken.None);
        DateTimeOffset t0 = clock.GetUtcNow();

        archive.Index.RecordAccountSuccess("a", t0);
        archive.Index.RecordAccountError("a", t0.AddSeconds(10), "first");
        archive.Index.RecordAccountError("a", t0.AddSeconds(20), "second");
        AccountStatistics failing = Assert.Single(archive.Index.AccountStatistics());

        Assert.Equal((t0.AddSeconds(10), "second", t0.AddSeconds(20)), (failing.FailingSince!.Value, failing.LastError, failing.LastErrorAt!.Value));

        archive.Index.RecordAccountSuccess("a", t0.AddSeconds(30));
        archive.Index.RecordAccountError("a", t0.AddSeconds(40), "third");

        Assert.Equal(t0.AddSeconds(40), Assert.Single(archive.Index.AccountStatistics()).FailingSince);
    }

    [Fact]
    public async Task An_account_whose_first_pass_fails_is_failing_since_that_pass()
    {
        using var dir = new TempDirectory();
        using MessageArchive archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        DateTimeOffset t = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

        archive.Index.RecordAccountError("a", t, "login failed");

        Assert.Equal(t, Assert.Single(archive.Index.AccountStatistics()).FailingSince);
    }
}
