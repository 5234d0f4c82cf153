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
    IReadOnlyList<AuditJson.DuplicateJson> Duplicates,
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
        int CopyWithoutMessageId,
        int Duplicates,
        int Unidentified);

    internal sealed record MessageJson(string? MessageId, DateTimeOffset Received, string? From, string? Subject);

    /// <param name="ContentCompared">False when only the Message-ID repeats (a primary that cannot be read whole).</param>
    internal sealed record DuplicateJson(MessageJson Message, int Copies, bool ContentCompared);

    internal sealed record MeaningJson(string PrimaryOnly, string CopyOnly, string WithoutMessageId, string Duplicates);
}
