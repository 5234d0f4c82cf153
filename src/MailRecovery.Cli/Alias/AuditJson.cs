namespace MailRecovery.Cli.Alias;

/// <summary>The --json report of <c>alias audit</c>.</summary>
internal sealed record AuditJson(
    bool Ok,
    int ExitCode,
    string Primary,
    string Archive,
    AuditJson.WindowJson Window,
    AuditJson.CountsJson Counts,
    IReadOnlyList<AuditJson.MessageJson> PrimaryOnly,
    IReadOnlyList<AuditJson.MessageJson> CopyOnly,
    AuditJson.MeaningJson Meaning)
{
    internal sealed record WindowJson(DateTimeOffset Since, DateTimeOffset Until, string Clock, double PrimaryMarginHours);

    internal sealed record CountsJson(
        int Primary,
        int Copy,
        int Matched,
        int PrimaryOnly,
        int CopyOnly,
        int PrimaryWithoutMessageId,
        int CopyWithoutMessageId);

    internal sealed record MessageJson(string? MessageId, DateTimeOffset Received, string? From, string? Subject);

    internal sealed record MeaningJson(string PrimaryOnly, string CopyOnly, string WithoutMessageId);
}
