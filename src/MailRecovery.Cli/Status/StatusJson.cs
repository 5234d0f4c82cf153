namespace MailRecovery.Cli.Status;

/// <summary>The --json report of <c>status</c>.</summary>
internal sealed record StatusJson(
    bool Ok,
    int ExitCode,
    DateTimeOffset Now,
    long Messages,
    long Bytes,
    string TimeZone,
    IReadOnlyList<StatusJson.StatusAccountJson> Accounts,
    StatusJson.LastProbeJson? LastProbe,
    int UsualLow,
    int UsualHigh,
    IReadOnlyList<StatusJson.StatusDayJson> Days,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<StatusJson.ConditionJson> Conditions,
    IReadOnlyList<StatusJson.HelpdeskJson> Helpdesks,
    double MaxWaitingMinutes,
    double MaxPassAgeMinutes,
    StatusJson.ProbeCleanupJson? ProbeCleanups)
{
    /// <summary>What became of the alias probes in the helpdesk's account since <c>since</c>: <c>takenFirst</c> may have become tickets.</summary>
    internal sealed record ProbeCleanupJson(DateTimeOffset Since, int Probes, int Removed, int MarkedDeleted, int TakenFirst, int NeverSeen, int Left, int Failed);

    /// <summary>One thing that needs attention: a stable name, since when (null: unknown), the one-line reason (as in warnings).</summary>
    internal sealed record ConditionJson(string Condition, DateTimeOffset? Since, string Reason, string? Account);

    /// <summary>An observed helpdesk account: when it was last looked at, when the helpdesk last pulled (took) mail, what waits.</summary>
    internal sealed record HelpdeskJson(string Primary, string Account, DateTimeOffset LastLook, DateTimeOffset? LastPulled, int Waiting, DateTimeOffset? OldestWaitingSince);

    internal sealed record StatusAccountJson(
        string Account,
        DateTimeOffset? LastSuccess,
        DateTimeOffset? LastReceived,
        long Messages,
        long Bytes,
        string? LastError,
        DateTimeOffset? LastErrorAt);

    internal sealed record LastProbeJson(DateTimeOffset At, string Alias, string Verdict, string Summary);

    internal sealed record StatusDayJson(string Day, int Count, bool Low);
}
