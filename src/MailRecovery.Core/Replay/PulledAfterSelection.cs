using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Replay;

/// <summary>
/// What <c>replay --pulled-after T</c> selected and why: the messages to replay (taken after T, around T unless
/// left out, and received after the last look at or after T) and the counts the dry run shows.
/// </summary>
/// <param name="PulledAfter">T.</param>
/// <param name="Messages">To replay, oldest first by receipt time.</param>
/// <param name="TakenAfter">Taken after T (includes <paramref name="NotLookedYet"/>).</param>
/// <param name="TakenAround">Whose bracket contains T.</param>
/// <param name="AroundIncluded">False with <c>--skip-taken-around</c>.</param>
/// <param name="NotLookedYet">Received after T and after the last look: taken since, or still waiting (a target that checks presence skips a copy still there).</param>
/// <param name="Waiting">Still waiting at the last look: not replayed.</param>
/// <param name="Unobserved">From an account whose helpdesk was never looked at: not replayed.</param>
/// <param name="FirstLook">The ledger's first look.</param>
/// <param name="LastLook">The ledger's newest look.</param>
public sealed record PulledAfterSelection(
    DateTimeOffset PulledAfter,
    IReadOnlyList<ArchivedMessage> Messages,
    int TakenAfter,
    int TakenAround,
    bool AroundIncluded,
    int NotLookedYet,
    int Waiting,
    int Unobserved,
    DateTimeOffset FirstLook,
    DateTimeOffset LastLook);
