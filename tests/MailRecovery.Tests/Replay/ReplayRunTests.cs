using System.Globalization;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailRecovery.Tests.Replay;

/// <summary>
/// Exactly-once delivery against a scripted target: the journal, the presence check, retries of "try later",
/// uncertain outcomes, crashes after an intent, targets that deliver only at the end, and pacing.
/// The archive holds four messages, received at Base + 0..3 hours and archived newest first.
/// </summary>
public sealed class ReplayRunTests : IAsyncLifetime
{
    private const int Count = 4;
    private static readonly DateTimeOffset Base = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);
    private static readonly ReplayWindow Window = new(Base, Base.AddDays(1), ReplayClock.Received);
    private readonly TempDirectory dir = new();
    private MessageArchive? archive;
    private ReplayPlan? plan;

    /// <summary>The archive's files, oldest received first.</summary>
    private string[] files = [];

    /// <summary>The archived bytes, in the order of <see cref="files"/>.</summary>
    private byte[][] messages = [];

    private string JournalPath => dir.Sub("replay-journal.sqlite");

    public async Task InitializeAsync() =>
        (archive, plan, files, messages) = await ArchiveAsync(dir.Sub("archive"), TimeProvider.System);

    public Task DisposeAsync()
    {
        archive?.Dispose();
        dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_first_run_delivers_everything_oldest_first_and_journals_it_and_a_second_run_delivers_nothing()
    {
        var target = new FakeTarget();
        var observer = new CollectingObserver();

        ReplayReport first = await RunAsync(target, observer: observer);

        Assert.Equal(files, target.Delivered);
        Assert.Equal(messages, target.Bytes);
        Assert.Equal((Count, Count, 0, 0), (first.Selected, first.Delivered, first.AlreadyPresent, first.SkippedByJournal));
        Assert.Equal(messages.Sum(m => (long)m.Length), first.DeliveredBytes);
        Assert.Equal(ExitCodes.Ok, first.ExitCode);
        Assert.True(target.Completed);
        Assert.Equal(files.Select(f => (f, "delivered")), observer.Done);
        Assert.All(files, f => Assert.Equal(JournalState.Delivered, Journal()[f].State));
        Assert.All(files, f => Assert.Equal(1, Journal()[f].Attempts));

        var again = new FakeTarget("run2");
        ReplayReport second = await RunAsync(again);

        Assert.Empty(again.Delivered);
        Assert.Empty(again.Checks); // the journal answers; the target is not even asked
        Assert.Equal((0, Count), (second.Delivered, second.SkippedByJournal));
        Assert.Equal(ExitCodes.Ok, second.ExitCode);
    }

    [Fact]
    public async Task A_message_the_target_already_has_is_not_delivered_and_later_runs_skip_it()
    {
        var target = new FakeTarget { Answer = (f, _) => f == files[1] ? Presence.Present : Presence.Absent };
        var observer = new CollectingObserver();

        ReplayReport report = await RunAsync(target, observer: observer);

        Assert.Equal([files[0], files[2], files[3]], target.Delivered);
        Assert.Equal((3, 1), (report.Delivered, report.AlreadyPresent));
        Assert.Contains((files[1], "present"), observer.Done);
        Assert.Equal(JournalState.Present, Journal()[files[1]].State);
        Assert.Equal(0, Journal()[files[1]].Attempts);
        Assert.All(target.Checks, c => Assert.Null(c.Checkpoint)); // nothing was unfinished
        Assert.Equal(Count, (await RunAsync(new FakeTarget("run2"))).SkippedByJournal);
    }

    [Fact]
    public async Task Try_later_is_retried_within_the_run_and_a_second_attempt_delivers()
    {
        var target = new FakeTarget { Refuse = (f, attempt) => f == files[1] && attempt == 1 ? DeliveryOutcome.TryLater : null };

        ReplayReport report = await RunAsync(target);

        Assert.Equal(files, target.Delivered);
        Assert.Equal(2, target.AttemptsOf(files[1]));
        Assert.Equal(Count, report.Delivered);
        Assert.Empty(report.TryLater);
        Assert.Equal(ExitCodes.Ok, report.ExitCode);
        Assert.Equal(JournalState.Delivered, Journal()[files[1]].State);
        Assert.Equal(1, Journal()[files[1]].Attempts); // one intent covers the retries of one run
    }

    [Fact]
    public async Task Try_later_that_keeps_coming_ends_the_run_with_exit_75_and_the_next_run_tries_again()
    {
        var options = Fast(maxRetries: 2);
        var target = new FakeTarget { Refuse = (f, _) => f == files[2] ? DeliveryOutcome.TryLater : null };

        ReplayReport report = await RunAsync(target, options);

        Assert.Equal(3, target.AttemptsOf(files[2])); // the first attempt and MaxRetries more
        Assert.Equal([files[0], files[1], files[3]], target.Delivered);
        string later = Assert.Single(report.TryLater);
        Assert.Contains(files[2], later, StringComparison.Ordinal);
        Assert.Contains("scripted TryLater", later, StringComparison.Ordinal);
        Assert.Empty(report.Failed);
        Assert.Equal(ExitCodes.TemporaryFailure, report.ExitCode);
        Assert.Equal(JournalState.TryLater, Journal()[files[2]].State);

        var next = new FakeTarget("run2");
        ReplayReport again = await RunAsync(next, options);

        Assert.Equal([files[2]], next.Delivered);
        Assert.Equal(ExitCodes.Ok, again.ExitCode);
        Assert.Equal(2, Journal()[files[2]].Attempts);
    }

    [Fact]
    public async Task No_retries_means_one_attempt()
    {
        var target = new FakeTarget { Refuse = (f, _) => f == files[0] ? DeliveryOutcome.TryLater : null };

        await RunAsync(target, Fast(maxRetries: 0));

        Assert.Equal(1, target.AttemptsOf(files[0]));
    }

    [Fact]
    public async Task A_refusal_is_reported_with_exit_1_is_not_retried_and_the_next_run_tries_again()
    {
        var target = new FakeTarget { Refuse = (f, _) => f == files[0] ? DeliveryOutcome.Failed : null };

        ReplayReport report = await RunAsync(target);

        Assert.Equal(1, target.AttemptsOf(files[0]));
        Assert.Equal(files[1..], target.Delivered);
        Assert.Contains("scripted Failed", Assert.Single(report.Failed), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.SomeFailed, report.ExitCode);
        Assert.Equal((JournalState.Failed, "scripted Failed"), (Journal()[files[0]].State, Journal()[files[0]].Detail));

        var next = new FakeTarget("run2");
        ReplayReport again = await RunAsync(next);

        Assert.Equal([files[0]], next.Delivered);
        Assert.Equal([(files[0], (string?)null)], next.Checks); // a refusal is not an unfinished delivery
        Assert.Equal((1, Count - 1, ExitCodes.Ok), (again.Delivered, again.SkippedByJournal, again.ExitCode));
        Assert.Equal(JournalState.Delivered, Journal()[files[0]].State);
        Assert.Null(Journal()[files[0]].Detail);
    }

    [Fact]
    public async Task An_uncertain_outcome_is_reported_not_retried_and_not_resent_unless_asked()
    {
        var first = new FakeTarget { Refuse = (f, _) => f == files[1] ? DeliveryOutcome.Uncertain : null };

        ReplayReport report = await RunAsync(first, Fast(maxRetries: 3));

        Assert.Equal(1, first.AttemptsOf(files[1]));
        Assert.Contains(files[1], Assert.Single(report.Uncertain), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.SomeFailed, report.ExitCode);
        Assert.Equal(JournalState.Uncertain, Journal()[files[1]].State);

        // The target cannot tell (SMTP, pipe): reported again, not sent.
        var unknown = new FakeTarget("run2") { Answer = (_, _) => Presence.Unknown };
        ReplayReport again = await RunAsync(unknown);

        Assert.Empty(unknown.Delivered);
        Assert.Equal([(files[1], (string?)$"run1:{files[1]}")], unknown.Checks);
        Assert.Contains("--resend-uncertain", Assert.Single(again.Uncertain), StringComparison.Ordinal);
        Assert.Equal((0, Count - 1, ExitCodes.SomeFailed), (again.Delivered, again.SkippedByJournal, again.ExitCode));
        Assert.Equal((JournalState.Uncertain, "scripted Uncertain"), (Journal()[files[1]].State, Journal()[files[1]].Detail));

        // --resend-uncertain: the admin accepts a possible duplicate.
        var resend = new FakeTarget("run3") { Answer = (_, _) => Presence.Unknown };
        ReplayReport resent = await RunAsync(resend, Fast(resendUncertain: true));

        Assert.Equal([files[1]], resend.Delivered);
        Assert.Equal((1, ExitCodes.Ok), (resent.Delivered, resent.ExitCode));
        Assert.Equal(JournalState.Delivered, Journal()[files[1]].State);
    }

    [Fact]
    public async Task An_uncertain_delivery_the_target_finds_is_counted_as_present()
    {
        await RunAsync(new FakeTarget { Refuse = (f, _) => f == files[3] ? DeliveryOutcome.Uncertain : null });

        var found = new FakeTarget("run2") { Answer = (_, _) => Presence.Present };
        ReplayReport report = await RunAsync(found);

        Assert.Empty(found.Delivered);
        Assert.Equal((1, ExitCodes.Ok), (report.AlreadyPresent, report.ExitCode));
        Assert.Equal(JournalState.Present, Journal()[files[3]].State);
    }

    [Fact]
    public async Task An_intent_left_by_a_crash_is_checked_with_the_crashed_runs_checkpoint_and_reported_uncertain_when_the_target_cannot_tell()
    {
        var crashed = await CrashAfterThirdIntentAsync();
        Assert.Equal(files[..2], crashed.Delivered); // the third was about to be handed over

        var resumed = new FakeTarget("run2") { Answer = (f, _) => f == files[2] ? Presence.Unknown : Presence.Absent };
        ReplayReport report = await RunAsync(resumed);

        Assert.Equal([files[3]], resumed.Delivered);
        Assert.Equal([(files[2], (string?)$"run1:{files[2]}"), (files[3], null)], resumed.Checks);
        Assert.Contains(files[2], Assert.Single(report.Uncertain), StringComparison.Ordinal);
        Assert.Equal((1, 2, ExitCodes.SomeFailed), (report.Delivered, report.SkippedByJournal, report.ExitCode));
        Assert.Equal((JournalState.Uncertain, $"run1:{files[2]}"), (Journal()[files[2]].State, Journal()[files[2]].Checkpoint));
    }

    [Fact]
    public async Task An_intent_left_by_a_crash_is_delivered_when_the_target_says_it_is_absent()
    {
        await CrashAfterThirdIntentAsync();

        var resumed = new FakeTarget("run2");
        ReplayReport report = await RunAsync(resumed);

        Assert.Equal(files[2..], resumed.Delivered);
        Assert.Equal($"run1:{files[2]}", resumed.Checks[0].Checkpoint);
        Assert.Equal((2, 2, ExitCodes.Ok), (report.Delivered, report.SkippedByJournal, report.ExitCode));
        Assert.Equal(2, Journal()[files[2]].Attempts);
        Assert.All(files, f => Assert.Equal(JournalState.Delivered, Journal()[f].State));
    }

    [Fact]
    public async Task An_intent_left_by_a_crash_is_not_resent_when_the_target_finds_it()
    {
        await CrashAfterThirdIntentAsync();

        var resumed = new FakeTarget("run2") { Answer = (f, cp) => cp is null ? Presence.Absent : Presence.Present };
        ReplayReport report = await RunAsync(resumed);

        Assert.Equal([files[3]], resumed.Delivered);
        Assert.Equal((1, 1), (report.Delivered, report.AlreadyPresent));
    }

    [Fact]
    public async Task A_target_that_delivers_at_complete_journals_nothing_as_delivered_when_complete_fails()
    {
        var broken = new FakeTarget { DeliversAtComplete = true, FailComplete = true };

        await Assert.ThrowsAsync<IOException>(() => RunAsync(broken));

        Assert.Equal(files, broken.Delivered); // handed over, but the zip was never finished
        Assert.All(files, f => Assert.Equal(JournalState.Intent, Journal()[f].State));

        var next = new FakeTarget("run2") { DeliversAtComplete = true };
        ReplayReport report = await RunAsync(next);

        Assert.Equal(files, next.Delivered);
        Assert.All(next.Checks, c => Assert.Equal($"run1:{c.File}", c.Checkpoint));
        Assert.Equal((Count, 0, ExitCodes.Ok), (report.Delivered, report.SkippedByJournal, report.ExitCode));
        Assert.All(files, f => Assert.Equal(JournalState.Delivered, Journal()[f].State));
    }

    [Fact]
    public async Task A_target_that_delivers_at_complete_journals_after_complete()
    {
        var target = new FakeTarget { DeliversAtComplete = true };
        target.OnDeliver = _ => Assert.DoesNotContain(Journal().Values, e => e.State == JournalState.Delivered);

        ReplayReport report = await RunAsync(target);

        Assert.Equal((Count, messages.Sum(m => (long)m.Length)), (report.Delivered, report.DeliveredBytes));
        Assert.All(files, f => Assert.Equal(JournalState.Delivered, Journal()[f].State));
    }

    [Fact]
    public async Task A_file_missing_from_the_archive_fails_with_a_pointer_to_archive_verify_and_the_rest_is_delivered()
    {
        File.Delete(archive!.Layout.Resolve(files[1])!);
        var target = new FakeTarget();

        ReplayReport report = await RunAsync(target);

        Assert.Equal([files[0], files[2], files[3]], target.Delivered);
        string failure = Assert.Single(report.Failed);
        Assert.Contains(files[1], failure, StringComparison.Ordinal);
        Assert.Contains("archive verify", failure, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.SomeFailed, report.ExitCode);
        Assert.False(Journal().ContainsKey(files[1]));
    }

    [Fact]
    public async Task Rate_spaces_the_deliveries_n_over_rate_seconds_apart_on_the_injected_clock()
    {
        var clock = new JumpingClock(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        using var paced = new TempDirectory();
        var (store, pacedPlan, _, _) = await ArchiveAsync(paced.Sub("archive"), clock);
        using MessageArchive disposeStore = store;
        DateTimeOffset start = clock.GetUtcNow();
        var starts = new List<TimeSpan>();
        var target = new FakeTarget { OnDeliver = _ => starts.Add(clock.GetUtcNow() - start) };

        using (ReplayJournal journal = ReplayJournal.Open(paced.Sub("journal.sqlite"), clock))
            await new ReplayRun(store, journal, target, new ReplayOptions { MessagesPerSecond = 2 }, NullLogger.Instance).RunAsync(pacedPlan, CancellationToken.None);

        Assert.Equal([0, 500, 1000, 1500], starts.Select(s => s.TotalMilliseconds));
        Assert.True(starts[2] >= TimeSpan.FromSeconds(2 / 2.0)); // the 3rd no earlier than 2 / rate
        Assert.Equal(Count - 1, clock.Waits.Count);
    }

    [Fact]
    public async Task Without_a_rate_nothing_waits()
    {
        var clock = new JumpingClock(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        using var paced = new TempDirectory();
        var (store, pacedPlan, _, _) = await ArchiveAsync(paced.Sub("archive"), clock);
        using MessageArchive disposeStore = store;
        var target = new FakeTarget();

        using (ReplayJournal journal = ReplayJournal.Open(paced.Sub("journal.sqlite"), clock))
            await new ReplayRun(store, journal, target, new ReplayOptions(), NullLogger.Instance).RunAsync(pacedPlan, CancellationToken.None);

        Assert.Equal(Count, target.Delivered.Count);
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task Rate_is_kept_when_the_target_took_long_to_open()
    {
        var clock = new JumpingClock(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        using var paced = new TempDirectory();
        var (store, pacedPlan, _, _) = await ArchiveAsync(paced.Sub("archive"), clock);
        using MessageArchive disposeStore = store;
        var starts = new List<DateTimeOffset>();
        var target = new FakeTarget { OnOpen = () => clock.Advance(TimeSpan.FromSeconds(5)), OnDeliver = _ => starts.Add(clock.GetUtcNow()) };

        using (ReplayJournal journal = ReplayJournal.Open(paced.Sub("journal.sqlite"), clock))
            await new ReplayRun(store, journal, target, new ReplayOptions { MessagesPerSecond = 2 }, NullLogger.Instance).RunAsync(pacedPlan, CancellationToken.None);

        // "The n-th starts no earlier than n / rate seconds after the first" (ReplayRun.PaceAsync).
        Assert.Equal([0, 500, 1000, 1500], starts.Select(s => (s - starts[0]).TotalMilliseconds));
    }

    private static ReplayOptions Fast(int maxRetries = 2, bool resendUncertain = false) =>
        new() { MaxRetries = maxRetries, RetryDelay = TimeSpan.FromMilliseconds(1), ResendUncertain = resendUncertain };

    /// <summary>An archive of <see cref="Count"/> messages, staged newest first so that the order comes from the selection.</summary>
    private static async Task<(MessageArchive Archive, ReplayPlan Plan, string[] Files, byte[][] Messages)> ArchiveAsync(string root, TimeProvider clock)
    {
        MessageArchive store = await MessageArchive.OpenAsync(root, ArchiveAccess.ReadWrite, clock, CancellationToken.None);
        var byReceived = new SortedDictionary<int, (string File, byte[] Bytes)>();
        for (int i = Count - 1; i >= 0; i--)
        {
            byte[] bytes = TestMessages.Simple(i, $"r{i}@example.org",
                received: Base.AddHours(i).ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture));
            StagedMessage staged = await store.Writer.StageAsync(new MemoryStream(bytes), null, CancellationToken.None);
            ArchiveBatch batch = store.BeginBatch();
            batch.Add(staged, "imap://copy@mx.example.test", "INBOX", 1, i.ToString(CultureInfo.InvariantCulture));
            batch.Commit();
            byReceived[i] = (staged.File, bytes);
        }

        var selected = new ReplayPlan(Window, TimeZoneInfo.Utc, ReplaySelector.Select(store.Index, Window, ReplayFilter.All));
        Assert.Equal(byReceived.Values.Select(v => v.File), selected.Messages.Select(m => m.File));
        return (store, selected, byReceived.Values.Select(v => v.File).ToArray(), byReceived.Values.Select(v => v.Bytes).ToArray());
    }

    private async Task<FakeTarget> CrashAfterThirdIntentAsync()
    {
        var crashed = new FakeTarget();
        var killed = Fast();
        killed.AfterIntent = n => { if (n == 3) throw new InvalidOperationException("killed"); };

        await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(crashed, killed));

        Assert.Equal((JournalState.Intent, $"run1:{files[2]}"), (Journal()[files[2]].State, Journal()[files[2]].Checkpoint));
        Assert.False(Journal().ContainsKey(files[3]));
        return crashed;
    }

    /// <summary>One run, as one process would do it: the journal is opened afresh.</summary>
    private async Task<ReplayReport> RunAsync(FakeTarget target, ReplayOptions? options = null, IReplayObserver? observer = null)
    {
        using ReplayJournal journal = ReplayJournal.Open(JournalPath, TimeProvider.System);
        return await new ReplayRun(archive!, journal, target, options ?? Fast(), NullLogger.Instance, observer).RunAsync(plan!, CancellationToken.None);
    }

    private Dictionary<string, JournalEntry> Journal()
    {
        using ReplayJournal journal = ReplayJournal.Open(JournalPath, TimeProvider.System);
        return journal.Load(FakeTarget.Key);
    }

    /// <summary>Records what it is handed; each test scripts its answers. Checkpoints name the run that made them.</summary>
    private sealed class FakeTarget(string run = "run1") : IReplayTarget
    {
        public const string Key = "fake:target";
        private readonly Dictionary<string, int> attempts = [];

        public List<string> Delivered { get; } = [];

        public List<byte[]> Bytes { get; } = [];

        public List<(string File, string? Checkpoint)> Checks { get; } = [];

        /// <summary>(file, attempt in this run, from 1) → the outcome to throw, or null to accept.</summary>
        public Func<string, int, DeliveryOutcome?> Refuse { get; init; } = (_, _) => null;

        /// <summary>(file, checkpoint) → what <see cref="CheckAsync"/> answers.</summary>
        public Func<string, string?, Presence> Answer { get; init; } = (_, _) => Presence.Absent;

        public bool DeliversAtComplete { get; init; }

        public bool FailComplete { get; init; }

        public Action? OnOpen { get; init; }

        public Action<string>? OnDeliver { get; set; }

        public bool Completed { get; private set; }

        public string Description => "fake:";

        public string JournalKey => Key;

        public int AttemptsOf(string file) => attempts.GetValueOrDefault(file);

        public Task OpenAsync(CancellationToken cancellationToken)
        {
            OnOpen?.Invoke();
            return Task.CompletedTask;
        }

        public string? Checkpoint(ReplayItem item) => $"{run}:{item.Message.File}";

        public Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken)
        {
            Checks.Add((item.Message.File, checkpoint));
            return Task.FromResult(Answer(item.Message.File, checkpoint));
        }

        public async Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken)
        {
            string file = item.Message.File;
            attempts[file] = AttemptsOf(file) + 1;
            OnDeliver?.Invoke(file);
            if (Refuse(file, attempts[file]) is { } outcome)
                throw new DeliveryException(outcome, $"scripted {outcome}");
            await using Stream stream = item.OpenRead();
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy, cancellationToken);
            Delivered.Add(file);
            Bytes.Add(copy.ToArray());
        }

        public Task CompleteAsync(CancellationToken cancellationToken)
        {
            if (FailComplete)
                throw new IOException("the zip could not be finished");
            Completed = true;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class CollectingObserver : IReplayObserver
    {
        public List<(string File, string Outcome)> Done { get; } = [];

        public void MessageDone(ReplayItem item, string outcome) => Done.Add((item.Message.File, outcome));
    }

    /// <summary>A fake clock that jumps to the end of every wait as it starts: pacing becomes exact and instant.</summary>
    private sealed class JumpingClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public List<TimeSpan> Waits { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            ITimer timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            {
                Waits.Add(dueTime);
                Advance(dueTime);
            }

            return timer;
        }
    }
}
