namespace MailRecovery.Core.Replay;

/// <summary>
/// Where replayed messages go. Implementations: <c>ImapAppendTarget</c>, <c>SmtpTarget</c>, <c>LmtpTarget</c>,
/// <c>MaildirTarget</c>, <c>MboxTarget</c>, <c>EmlTarget</c>, <c>EmlZipTarget</c>, <c>PipeTarget</c>.
/// The replay run owns exactly-once: it journals an intent before <see cref="DeliverAsync"/> and the outcome
/// after; the target only delivers, and answers <see cref="CheckAsync"/> when a delivery's outcome was lost.
/// </summary>
public interface IReplayTarget : IAsyncDisposable
{
    /// <summary>The target as the user wrote it, without secrets, for output.</summary>
    string Description { get; }

    /// <summary>A stable identity for the replay journal: the same target gets the same key in every run.</summary>
    string JournalKey { get; }

    /// <summary>
    /// True when deliveries become final only at <see cref="CompleteAsync"/> (a zip written whole): the run then
    /// journals them as delivered after it, never before.
    /// </summary>
    bool DeliversAtComplete => false;

    /// <summary>
    /// How many <see cref="DeliverAsync"/> calls may run at once, each on a connection of its own (SMTP
    /// <c>--connections</c>). The run then starts deliveries in plan order and settles each outcome as it comes,
    /// so they may finish out of order; every other member is still called by the run's loop alone.
    /// </summary>
    /// <value>The default value is 1: one delivery after the other.</value>
    int MaxParallelDeliveries => 1;

    /// <summary>Connects or opens files. Called once before the first delivery.</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A token recorded with the intent, before <see cref="DeliverAsync"/>, and handed back to
    /// <see cref="CheckAsync"/> if the outcome is lost (mbox: the file length, to roll a torn append back).
    /// </summary>
    string? Checkpoint(ReplayItem item);

    /// <summary>
    /// Whether <paramref name="item"/> is already in the target: asked before delivering (so a second run, or
    /// mail that is still there, is not delivered twice) and after a run died with the outcome unknown.
    /// </summary>
    /// <param name="checkpoint">The token of an unfinished delivery, or null when none is known.</param>
    Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the taken copy that <see cref="CheckAsync"/> answered <see cref="Presence.Taken"/> for new again
    /// (IMAP: clears <c>\Seen</c> and <c>\Deleted</c>). Only targets that answer Taken implement it.
    /// </summary>
    /// <returns>True when the copy is new again; false when it vanished meanwhile (then the run delivers the message).</returns>
    Task<bool> OfferAgainAsync(ReplayItem item, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{Description} cannot offer a taken copy again.");

    /// <summary>Delivers the exact archived bytes. Returns when the target has durably accepted them.</summary>
    /// <exception cref="DeliveryException">The target said no, or the outcome is unknown.</exception>
    Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken);

    /// <summary>Finishes the run (closes files, logs out). Deliveries count only once this returns.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}
