using MailRecovery.Core.Sources;

namespace MailRecovery.Tests.Sources;

/// <summary>Pure logic: the read-ahead's order, bytes, memory bound and failure handling, with an in-memory "archive".</summary>
public sealed class ReadAheadSinkTests
{
    private const int Big = ReadAheadSink<Staged>.MaxMessageBytes;

    [Fact]
    public async Task Settles_every_message_once_in_arrival_order_with_the_exact_bytes()
    {
        var archive = new FakeArchive();
        var sink = archive.NewSink();
        var sent = new List<(ServerMessage Message, byte[] Bytes)>();
        int[] sizes = [0, 1, 4096, 70_000, Big + 1, 5, Big * 2, 300, 65_536, 131_072, Big, Big + 1];
        for (int i = 0; i < sizes.Length; i++)
        {
            // Sizes announced, except for two: those are read until the stream ends.
            byte[] bytes = Bytes(sizes[i], seed: i);
            var message = new ServerMessage(i.ToString(), i, i is 3 or 6 or 10 or 11 ? -1 : bytes.Length);
            sent.Add((message, bytes));
            await using var stream = new OneShotStream(bytes);
            await sink.Sink(message, stream, CancellationToken.None);
            Assert.True(stream.AtEnd, $"message {i} was not read to its end during the call");
        }

        await sink.CompleteAsync();

        Assert.Equal(sent.Select(s => s.Message.ServerId), archive.Settled.Select(s => s.Id));
        foreach (var (message, bytes) in sent)
            Assert.Equal(bytes, archive.Settled.Single(s => s.Id == message.ServerId).Bytes);
        Assert.Empty(archive.Discarded);
    }

    [Fact]
    public async Task A_large_message_is_staged_while_its_stream_is_valid_and_settled_after_the_ones_before_it()
    {
        var archive = new FakeArchive { SettleDelay = TimeSpan.FromMilliseconds(30) };
        var sink = archive.NewSink();
        await sink.Sink(new ServerMessage("small", 1, 10), new OneShotStream(Bytes(10, 1)), CancellationToken.None);
        var large = new OneShotStream(Bytes(Big + 10, 2));
        await sink.Sink(new ServerMessage("large", 2, Big + 10), large, CancellationToken.None);
        large.Invalidate(); // a reader's stream is gone once the call returns
        await sink.CompleteAsync();

        Assert.Equal(["small", "large"], archive.Settled.Select(s => s.Id));
    }

    [Fact]
    public async Task Holds_no_more_than_its_budget_in_memory_while_the_archive_is_slow()
    {
        var archive = new FakeArchive { StageDelay = TimeSpan.FromMilliseconds(5) };
        var sink = archive.NewSink();
        for (int i = 0; i < 40; i++)
        {
            await sink.Sink(new ServerMessage(i.ToString(), i, 512 * 1024), new OneShotStream(Bytes(512 * 1024, i)), CancellationToken.None);
            int inMemory = i + 1 - archive.StagedCount;
            Assert.True(inMemory * 512L * 1024 <= ReadAheadMemory.Budget + (512 * 1024), $"{inMemory} messages of 512 KiB in memory");
        }

        await sink.CompleteAsync();
        Assert.Equal(40, archive.Settled.Count);
    }

    [Fact]
    public async Task Stages_side_by_side_and_still_settles_in_arrival_order()
    {
        // Staging takes longer the earlier the message: stagers finish out of order, settling must not.
        var archive = new FakeArchive { StageDelayOf = id => TimeSpan.FromMilliseconds(5 * (20 - int.Parse(id))) };
        var sink = archive.NewSink();
        for (int i = 0; i < 20; i++)
            await sink.Sink(new ServerMessage(i.ToString(), i, 100), new OneShotStream(Bytes(100, i)), CancellationToken.None);
        await sink.CompleteAsync();

        Assert.Equal(Enumerable.Range(0, 20).Select(i => i.ToString()), archive.Settled.Select(s => s.Id));
        if (ReadAheadMemory.MaxStaging > 1)
            Assert.True(archive.MostStagingAtOnce > 1, "never more than one message staged at a time");
    }

    [Fact]
    public async Task A_failure_stops_the_download_at_the_next_message_and_nothing_after_it_is_settled()
    {
        var archive = new FakeArchive { FailAt = "1" };
        var sink = archive.NewSink();
        await sink.Sink(new ServerMessage("0", 0, 10), new OneShotStream(Bytes(10, 0)), CancellationToken.None);
        await sink.Sink(new ServerMessage("1", 1, 10), new OneShotStream(Bytes(10, 1)), CancellationToken.None);

        // The worker fails on "1"; a later call is refused with that failure (the reader stops there).
        var failed = await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (int i = 2; i < 1000; i++)
            {
                await sink.Sink(new ServerMessage(i.ToString(), i, Big + 1), new OneShotStream(Bytes(Big + 1, i)), CancellationToken.None);
                await Task.Delay(5);
            }
        });
        Assert.Equal("disk full at 1", failed.Message);
        var again = await Assert.ThrowsAsync<IOException>(sink.CompleteAsync);
        Assert.Same(failed, again);

        Assert.Equal(["0"], archive.Settled.Select(s => s.Id));
        Assert.All(archive.Staged.Where(s => s.Id is not ("0" or "1")), s => Assert.Contains(s, archive.Discarded));
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    internal sealed record Staged(string Id, byte[] Bytes);

    private sealed class FakeArchive
    {
        public List<Staged> Settled { get; } = [];

        public List<Staged> Staged { get; } = [];

        public List<Staged> Discarded { get; } = [];

        public TimeSpan SettleDelay { get; init; }

        public string? FailAt { get; init; }

        public Func<string, TimeSpan>? StageDelayOf { get; init; }

        public TimeSpan StageDelay { get; init; }

        public int StagedCount
        {
            get
            {
                lock (Staged)
                    return Staged.Count;
            }
        }

        public int MostStagingAtOnce { get; private set; }

        private int staging;

        public ReadAheadSink<Staged> NewSink() => new(StageAsync, SettleAsync, s => { lock (Discarded) Discarded.Add(s); }, CancellationToken.None);

        private async Task<Staged> StageAsync(ServerMessage message, Stream content, CancellationToken ct)
        {
            int now = Interlocked.Increment(ref staging);
            lock (Staged)
                MostStagingAtOnce = Math.Max(MostStagingAtOnce, now);
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy, 7000, ct); // odd reads, as a real file write would not care about
            TimeSpan delay = StageDelayOf?.Invoke(message.ServerId) ?? StageDelay;
            if (delay > TimeSpan.Zero)
                await Task.Delay(delay, ct);
            Interlocked.Decrement(ref staging);
            var staged = new Staged(message.ServerId, copy.ToArray());
            lock (Staged)
                Staged.Add(staged);
            return staged;
        }

        private async Task SettleAsync(ServerMessage message, Staged staged, CancellationToken ct)
        {
            if (SettleDelay > TimeSpan.Zero)
                await Task.Delay(SettleDelay, ct);
            if (message.ServerId == FailAt)
                throw new IOException($"disk full at {FailAt}");
            lock (Settled)
                Settled.Add(staged);
        }
    }

    /// <summary>A reader's message stream: readable once, and not after the reader moved on.</summary>
    private sealed class OneShotStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        private bool invalid;

        public bool AtEnd => Position == Length;

        public void Invalidate() => invalid = true;

        public override int Read(byte[] buffer, int offset, int count) =>
            invalid ? throw new ObjectDisposedException("the reader's stream") : base.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            invalid ? throw new ObjectDisposedException("the reader's stream") : base.ReadAsync(buffer, cancellationToken);

        public override bool TryGetBuffer(out ArraySegment<byte> buffer)
        {
            buffer = default;
            return false; // a network stream lends no buffer
        }
    }
}
