using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;

namespace MailRecovery.Tests.Replay;

/// <summary>
/// Where the helpdesk's take of a message lies relative to T (replay --pulled-after T). Looks at 10:00, 10:05,
/// 10:10; T is 10:07 unless a test says otherwise.
/// </summary>
public sealed class TakenBracketTests
{
    private static readonly DateTimeOffset T = At(7);

    [Fact]
    public void Seen_waiting_at_or_after_T_and_missing_later_was_taken_after_T()
    {
        Assert.Equal(PulledRelation.After, Classify(At(1), Seen(lastSeen: At(10), taken: At(15))));
        Assert.Equal(PulledRelation.After, Classify(At(1), Seen(lastSeen: T, taken: At(10)))); // seen at T itself: taken strictly after T
    }

    [Fact]
    public void Missing_at_or_before_T_was_taken_at_or_before_T()
    {
        Assert.Equal(PulledRelation.AtOrBefore, Classify(At(1), Seen(lastSeen: At(0), taken: At(5))));
        Assert.Equal(PulledRelation.AtOrBefore, Classify(At(1), Seen(lastSeen: At(0), taken: T))); // missing at T itself: taken at or before T
    }

    [Fact]
    public void Seen_before_T_and_missing_after_it_straddles_T()
    {
        Assert.Equal(PulledRelation.Around, Classify(At(1), Seen(lastSeen: At(5), taken: At(10))));
    }

    [Fact]
    public void A_copy_still_waiting_at_the_last_look_is_never_replayed_whatever_else_happened()
    {
        Assert.Equal(PulledRelation.Waiting, Classify(At(1), new LedgerFacts(true, 1, At(5), At(10), null, At(10))));
    }

    [Fact]
    public void Never_seen_waiting_is_bracketed_by_its_receipt_and_the_next_look()
    {
        Assert.Equal(PulledRelation.After, Classify(At(8), Never(nextLook: At(10))));
        Assert.Equal(PulledRelation.After, Classify(T, Never(nextLook: At(10)))); // received at T: taken after it
        Assert.Equal(PulledRelation.AtOrBefore, Classify(At(1), Never(nextLook: At(5))));
        Assert.Equal(PulledRelation.Around, Classify(At(6), Never(nextLook: At(10))));
    }

    [Fact]
    public void Received_after_the_last_look_is_after_T_when_received_after_it_and_around_otherwise()
    {
        Assert.Equal(PulledRelation.After, Classify(At(12), Never(nextLook: null)));
        Assert.Equal(PulledRelation.Around, Classify(At(6), Never(nextLook: null))); // the ledger has not looked since: it may have gone before T
    }

    [Fact]
    public void An_account_whose_helpdesk_was_never_looked_at_is_unobserved()
    {
        Assert.Equal(PulledRelation.Unobserved, Classify(At(8), new LedgerFacts(false, 0, null, null, null, null)));
    }

    [Fact]
    public void The_bracket_excludes_its_start_and_includes_its_end()
    {
        TakenBracket b = TakenBracket.Of(At(1), Seen(lastSeen: At(5), taken: At(10)))!.Value;
        Assert.Equal(At(5), b.Start);
        Assert.Equal(At(10), b.End);
        Assert.Equal(PulledRelation.After, b.RelativeTo(At(5)));
        Assert.Equal(PulledRelation.AtOrBefore, b.RelativeTo(At(10)));
        Assert.Null(TakenBracket.Of(At(1), new LedgerFacts(true, 2, null, null, null, At(10))));
    }

    private static PulledRelation Classify(DateTimeOffset received, LedgerFacts facts) => TakenBracket.Classify(received, facts, T);

    private static LedgerFacts Seen(DateTimeOffset lastSeen, DateTimeOffset taken) => new(true, 0, lastSeen, taken, null, At(15));

    private static LedgerFacts Never(DateTimeOffset? nextLook) => new(true, 0, null, null, nextLook, At(10));

    private static DateTimeOffset At(int minute) => new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero).AddMinutes(minute);
}
