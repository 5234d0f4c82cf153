using System.Globalization;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Tests.Replay;

/// <summary>Batched delivery (IMAP MULTIAPPEND) against a scripted all-or-nothing target.</summary>
public sealed class ReplayRunBatchTests : IAsyncLifetime
{
    private const int Count = 7;
    private static readonly DateTimeOffset Base = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);
    private static readonly ReplayWindow Window = new(Base, Base.AddDays(1), ReplayClock.Received);
    private readonly TempDirectory dir = new();
    private MessageArchive? archive;
    private ReplayPlan? plan;

    public async Task InitializeAsync()
    {
        archive = await MessageArchive.OpenAsync(dir.Sub("archive"), ArchiveAccess.ReadWrite, TimeProvider.System, CancellationToken.None);
        ArchiveBatch batch = archive.BeginBatch();
        for (int i = 0; i < Count; i++)
        {
            byte[] bytes = TestMessages.Simple(i, $"b{i}@example.org", received: Base.AddHours(i).ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture));
            batch.Add(await archive.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None), "imap://c@x", "INBOX", 1, i.ToString(CultureInfo.InvariantCulture));
        }

        batch.Commit();
        plan = new ReplayPlan(Window, TimeZoneInfo.Utc, ReplaySelector.Select(archive.Index, Window, ReplayFilter.All));
    }

    public Task DisposeAsync()
    {
        archive?.Dispose();
        dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Messages_go_in_batches_of_MaxBatch_oldest_first_and_a_second_run_sends_nothing()
    {
        var target = new BatchTarget(maxBatch: 3);

        ReplayReport first = await RunAsync(target);
        ReplayReport second = await RunAsync(new BatchTarget(maxBatch: 3));

        Assert.Equal([3, 3], target.Batches.Select(b => b.Count)); // a last batch of one goes as a single delivery
        Assert.Equal(plan!.Messages.Select(m => m.File), target.Batches.SelectMany(b => b).Concat(target.Singles));
        Assert.Equal(Count, first.Delivered);
        Assert.Equal(Count, second.SkippedByJournal);
    }

    [Fact]
    public async Task A_refused_batch_is_retried_one_by_one_so_only_the_bad_message_fails()
    {
        string bad = plan!.Messages[1].File;
        var target = new BatchTarget(maxBatch: 4) { Bad = bad };

        ReplayReport report = await RunAsync(target);

        Assert.Equal(Count - 1, report.Delivered);
        Assert.Single(report.Failed);
        Assert.Contains(bad, report.Failed[0], StringComparison.Ordinal);
        Assert.Equal(Count - 1, target.Singles.Count + target.Batches.Sum(b => b.Count));
    }

    [Fact]
    public async Task An_uncertain_batch_makes_every_message_of_it_uncertain_and_nothing_is_resent_blindly()
    {
        var target = new BatchTarget(maxBatch: 10) { Uncertain = true };

        ReplayReport report = await RunAsync(target);

        Assert.Equal(Count, report.Uncertain.Count);
        Assert.Equal(0, report.Delivered);
        Assert.Empty(target.Singles);
    }

    [Fact]
    public async Task Pacing_turns_batching_off()
    {
        var target = new BatchTarget(maxBatch: 10);

        await RunAsync(target, new ReplayOptions { MessagesPerSecond = 1000 });

        Assert.Empty(target.Batches);
        Assert.Equal(Count, target.Singles.Count);
    }

    private async Task<ReplayReport> RunAsync(BatchTarget target, ReplayOptions? options = null)
    {
        using ReplayJournal journal = ReplayJournal.Open(dir.Sub("journal.sqlite"), TimeProvider.System);
        return await new ReplayRun(archive!, journal, target, options ?? new ReplayOptions { MaxRetries = 0 }, NullLogger.Instance).RunAsync(plan!, CancellationToken.None);
    }

    /// <summary>All-or-nothing like MULTIAPPEND: a batch holding <see cref="Bad"/> is refused whole.</summary>
    private sealed class BatchTarget(int maxBatch) : IBatchReplayTarget
    {
        public List<List<string>> Batches { get; } = [];

        public List<string> Singles { get; } = [];

        public string? Bad { get; init; }

        public bool Uncertain { get; init; }

        public int MaxBatch => maxBatch;

        public string Description => "batch:";

        public string JournalKey => "batch:target";

        public Task OpenAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public string? Checkpoint(ReplayItem item) => null;

        public Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken) =>
            Task.FromResult(checkpoint is null ? Presence.Absent : Presence.Unknown);

        public Task DeliverBatchAsync(IReadOnlyList<ReplayItem> items, CancellationToken cancellationToken)
        {
            if (Uncertain)
                throw new DeliveryException(DeliveryOutcome.Uncertain, "connection lost");
            if (items.Any(i => i.Message.File == Bad))
                throw new DeliveryException(DeliveryOutcome.Failed, "NO one message is bad");
            Batches.Add(items.Select(i => i.Message.File).ToList());
            return Task.CompletedTask;
        }

        public Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken)
        {
            if (item.Message.File == Bad)
                throw new DeliveryException(DeliveryOutcome.Failed, $"NO {item.Message.File} is bad");
            Singles.Add(item.Message.File);
            return Task.CompletedTask;
        }

        public Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
