namespace MailRecovery.Core.Primary;

/// <summary>The result of one look at a primary account.</summary>
/// <param name="Waiting">Messages waiting in the primary (not taken by the helpdesk yet).</param>
/// <param name="New">Of those, first seen at this look.</param>
/// <param name="ReadWhole">New messages that had to be read whole, because their Message-ID did not identify them.</param>
/// <param name="Unmatched">Ledger rows whose message the archive does not hold (yet).</param>
public sealed record PrimaryLookReport(DateTimeOffset At, int Waiting, int New, int ReadWhole, int Unmatched);
