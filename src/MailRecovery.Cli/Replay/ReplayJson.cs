using MailRecovery.Cli.Common;

namespace MailRecovery.Cli.Replay;

/// <summary>
/// The --json report of <c>replay</c> (and of <c>replay --dry-run</c>, without the outcome fields); <see cref="Error"/>
/// names what stopped the run early, with the counts of what happened before it.
/// </summary>
internal sealed record ReplayJson(
    bool Ok,
    int ExitCode,
    bool DryRun,
    string Target,
    string Clock,
    string Since,
    string Until,
    string TimeZone,
    int Selected,
    long Bytes,
    string? First,
    string? Last,
    double SelectMilliseconds,
    IReadOnlyList<ReplayJson.ReplayDayJson> PerDay,
    int? Delivered,
    int? AlreadyPresent,
    int? MarkedUnread,
    int? SkippedByJournal,
    IReadOnlyList<string>? Uncertain,
    IReadOnlyList<string>? Failed,
    IReadOnlyList<string>? TryLater,
    double? ElapsedSeconds,
    ErrorJson.Detail? Error = null,
    string? StartSetBy = null,
    string? TargetCheck = null,
    ReplayJson.PulledAfterJson? PulledAfter = null,
    string? DeliverAs = null)
{
    internal sealed record ReplayDayJson(string Day, int Count);

    /// <summary>With --pulled-after: T, the ledger's span, and how many messages fell where (<c>around</c>: the bracket contains T).</summary>
    internal sealed record PulledAfterJson(string PulledAfter, string FirstLook, string LastLook, int TakenAfter, int TakenAround, bool AroundIncluded, int NotLookedYet, int Waiting, int Unobserved);
}
