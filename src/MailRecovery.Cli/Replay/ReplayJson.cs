namespace MailRecovery.Cli.Replay;

/// <summary>The --json report of <c>replay</c> (and of <c>replay --dry-run</c>, without the outcome fields).</summary>
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
    int? SkippedByJournal,
    IReadOnlyList<string>? Uncertain,
    IReadOnlyList<string>? Failed,
    IReadOnlyList<string>? TryLater,
    double? ElapsedSeconds,
    string? StartSetBy = null,
    string? TargetCheck = null)
{
    internal sealed record ReplayDayJson(string Day, int Count);
}
