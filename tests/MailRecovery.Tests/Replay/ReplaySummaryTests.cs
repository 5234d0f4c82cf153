using System.Globalization;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Replay;

/// <summary>The dry run's summary query must show exactly what the full selection would deliver.</summary>
public sealed class ReplaySummaryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Base = new(2026, 11, 20, 20, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory dir = new();
    private MessageArchive? archive;

    public async Task InitializeAsync()
    {
        archive = await MessageArchive.OpenAsync(dir.Path, ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        ArchiveBatch batch = archive.BeginBatch();
        for (int i = 0; i < 30; i++)
        {
            string extra = i % 7 == 0 ? "Cc: bob@example.test\r\n" : string.Empty;
            byte[] bytes = TestMessages.Simple(i, i % 5 == 0 ? null : $"m{i}@example.org",
                received: Base.AddHours(3 * i).ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture), extraHeaders: extra, body: new string('x', 100 * i) + "\r\n");
            batch.Add(await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None), "imap://c@x", "INBOX", 1, i.ToString(CultureInfo.InvariantCulture));
        }

        batch.Commit();
    }

    public Task DisposeAsync()
    {
        archive?.Dispose();
        dir.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(0, 100, ReplayClock.Received, null)]
    [InlineData(6, 40, ReplayClock.Received, null)]
    [InlineData(0, 100, ReplayClock.Received, "bob@example.test")]
    [InlineData(-48, 100, ReplayClock.Date, null)]
    [InlineData(200, 300, ReplayClock.Received, null)]
    public void The_summary_matches_the_full_plan(int fromHours, int toHours, ReplayClock clock, string? recipient)
    {
        var window = new ReplayWindow(Base.AddHours(fromHours), Base.AddHours(toHours), clock);
        var filter = ReplayFilter.All with { Recipients = recipient is null ? [] : [recipient] };
        TimeZoneInfo tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

        var full = new ReplayPlan(window, tokyo, ReplaySelector.Select(archive!.Index, window, filter));
        ReplayPlan summary = ReplaySelector.Summarize(archive.Index, window, filter, tokyo);

        Assert.Equal(full.Count, summary.Count);
        Assert.Equal(full.TotalBytes, summary.TotalBytes);
        Assert.Equal(full.First, summary.First);
        Assert.Equal(full.Last, summary.Last);
        Assert.Equal(full.PerDay(), summary.PerDay());
        Assert.Throws<InvalidOperationException>(() => summary.Messages);
    }
}
