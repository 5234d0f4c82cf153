using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Time.Testing;

namespace MailRecovery.Tests.Archive;

/// <summary>
/// The replay journal's promises: one row per (target, file); an intent counts an attempt and carries the
/// target's checkpoint; an outcome keeps that checkpoint (a later run needs it to check an uncertain delivery)
/// and replaces the detail; a new intent without a checkpoint clears the old one; everything survives a reopen.
/// </summary>
public sealed class ReplayJournalTests : IDisposable
{
    private const string Target = "imap://helpdesk@mail.example.test:993/INBOX";
    private const string File1 = "1764150000.M1P1Q1.host,S=100,R=h";
    private const string File2 = "1764150000.M2P1Q2.host,S=200,R=h";
    private readonly TempDirectory dir = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero).AddTicks(1_234_567));

    private string PathOf => dir.Sub("replay-journal.sqlite");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_new_journal_is_empty_and_private()
    {
        using ReplayJournal journal = ReplayJournal.Open(PathOf, clock);

        Assert.Empty(journal.Load(Target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf));
    }

    [Fact]
    public void Its_write_ahead_log_is_private_too()
    {
        using ReplayJournal journal = ReplayJournal.Open(PathOf, clock);
        journal.RecordIntent(Target, File1, "cp");

        Assert.True(File.Exists(PathOf + "-wal"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf + "-wal"));
    }

    [Fact]
    public void An_intent_records_the_checkpoint_one_attempt_and_the_time()
    {
        using ReplayJournal journal = ReplayJournal.Open(PathOf, clock);

        journal.RecordIntent(Target, File1, "length=4096");

        JournalEntry entry = Assert.Single(journal.Load(Target)).Value;
        Assert.Equal(new JournalEntry(JournalState.Intent, "length=4096", null, 1, Millis(clock.GetUtcNow())), entry);
    }

    [Fact]
    public void An_outcome_keeps_the_checkpoint_of_the_intent_and_does_not_count_an_attempt()
    {
        using ReplayJournal journal = ReplayJournal.Open(PathOf, clock);
        journal.RecordIntent(Target, File1, "length=4096");
        clock.Advance(TimeSpan.FromSeconds(3));

        journal.Record(Target, File1, JournalState.Uncertain, "the connection broke after DATA");

        Assert.Equal(
            new JournalEntry(JournalState.Uncertain, "length=4096", "the connection broke after DATA", 1, Millis(clock.GetUtcNow())),
            journal.Load(Target)[File1]);
    }

    [Fact]
    public void Each_intent_counts_an_attempt_and_replaces_the_checkpoint()
    {
        using ReplayJournal journal = ReplayJournal.Open(PathOf, clock);
        journal.RecordIntent(Target, File1, "run1");
        journal.Record(Target, File1, JournalState.TryLater, "452 mailbox full");
        journal.RecordIntent(Target, File1, "run2");
        journal.Record(Target, File1, JournalState.Failed, "550 no such user");
        journal.RecordIntent(Target, File1, "run3");

        JournalEntry entry = journal.Load(Target)[File1];

        Assert.Equal((JournalState.Intent, "run3", 3), (entry.State, entry.Checkpoint, entry.Attempts));
        Assert.Null(entry.Detail); // an intent clears the previous run's reason
    }

    [Fact]
    public void An_intent_without_a_checkpoint_clears_the_previous_one()
    {
        using ReplayJournal journal = ReplayJournal.Open(PathOf, clock);
        journal.RecordIntent(Target, File1, "run1");
        journal.Record(Target, File1, JournalState.Uncertain, "lost");

        journal.RecordIntent(Target, File1, null);

        Assert.Null(journal.Load(Target)[File1].Checkpoint);
    }

    [Fact]
    public void A_delivered_outcome_clears_the_detail_but_the_checkpoint_stays()
    {
        using ReplayJournal journal = ReplayJournal.Open(PathOf, clock);
        journal.RecordIntent(Target, File1, "run1");
        journal.Record(Target, File1, JournalState.Failed, "550 no such user");

        journal.Record(Target, File1, JournalState.Delivered);

        Assert.Equal(new JournalEntry(JournalState.Delivered, "run1", null, 1, Millis(clock.GetUtcNow())), journal.Load(Target)[File1]);
    }

    [Fact]
    public void An_outcome_without_an_intent_has_no_attempt_and_no_checkpoint()
    {
        using ReplayJournal journal = ReplayJournal.Open(PathOf, clock);

        journal.Record(Target, File1, JournalState.Present);

        Assert.Equal(new JournalEntry(JournalState.Present, null, null, 0, Millis(clock.GetUtcNow())), journal.Load(Target)[File1]);
    }

    [Fact]
    public void Every_state_reads_back_as_written()
    {
        using ReplayJournal journal = ReplayJournal.Open(PathOf, clock);
        JournalState[] states = Enum.GetValues<JournalState>();
        for (int i = 0; i < states.Length; i++)
            journal.Record(Target, $"file{i}", states[i], $"detail {i}");

        Dictionary<string, JournalEntry> entries = journal.Load(Target);

        Assert.Equal(states, Enumerable.Range(0, states.Length).Select(i => entries[$"file{i}"].State));
    }

    [Fact]
    public void Targets_are_kept_apart()
    {
        using ReplayJournal journal = ReplayJournal.Open(PathOf, clock);
        journal.RecordIntent(Target, File1, "a");
        journal.Record(Target, File1, JournalState.Delivered);
        journal.RecordIntent("smtp://mx.example.test:25", File1, "b");

        Assert.Equal(JournalState.Delivered, journal.Load(Target)[File1].State);
        Assert.Equal(JournalState.Intent, journal.Load("smtp://mx.example.test:25")[File1].State);
        Assert.Equal(1, journal.Load("smtp://mx.example.test:25")[File1].Attempts);
        Assert.Empty(journal.Load("maildir:/elsewhere"));
    }

    [Fact]
    public void What_was_recorded_survives_closing_and_reopening()
    {
        Dictionary<string, JournalEntry> before;
        using (ReplayJournal journal = ReplayJournal.Open(PathOf, clock))
        {
            journal.RecordIntent(Target, File1, "cp1");
            journal.Record(Target, File1, JournalState.Delivered);
            clock.Advance(TimeSpan.FromMinutes(1));
            journal.RecordIntent(Target, File2, "cp2");
            before = journal.Load(Target);
        }

        clock.Advance(TimeSpan.FromHours(1));
        using ReplayJournal reopened = ReplayJournal.Open(PathOf, clock);

        Dictionary<string, JournalEntry> after = reopened.Load(Target);
        Assert.Equal(before.OrderBy(e => e.Key, StringComparer.Ordinal), after.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(JournalState.Intent, after[File2].State); // an interrupted delivery is still visible to the next run
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf));
    }

    /// <summary>The journal stores Unix milliseconds.</summary>
    private static DateTimeOffset Millis(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
}
