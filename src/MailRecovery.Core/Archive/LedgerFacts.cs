namespace MailRecovery.Core.Archive;

/// <summary>
/// What the primary ledger knows about one archived message, for <c>replay --pulled-after</c>. Times are the
/// looks of <c>watch</c> (its clock), except the receipt time, which is the message's.
/// </summary>
/// <param name="Observed">The account the message was archived from has a primary that was looked at.</param>
/// <param name="Waiting">How many copies of it were still waiting in the primary at the last look.</param>
/// <param name="LastSeen">For the copy taken last: the last look that saw it waiting.</param>
/// <param name="Taken">For the copy taken last: the first look that no longer saw it waiting.</param>
/// <param name="NextLook">The first look that could have seen it (at least a margin after its receipt: see <see cref="PrimaryLedger.Candidates"/>); null when none was made since.</param>
/// <param name="LastLook">The newest look at its primary, or null.</param>
public sealed record LedgerFacts(
    bool Observed,
    int Waiting,
    DateTimeOffset? LastSeen,
    DateTimeOffset? Taken,
    DateTimeOffset? NextLook,
    DateTimeOffset? LastLook);
