namespace MailRecovery.Core.Replay;

/// <summary>One row of the replay journal.</summary>
/// <param name="Checkpoint">The target's token recorded with the intent (see <see cref="IReplayTarget.Checkpoint"/>).</param>
public sealed record JournalEntry(JournalState State, string? Checkpoint, string? Detail, int Attempts, DateTimeOffset Updated);
