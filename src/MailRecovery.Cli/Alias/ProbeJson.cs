namespace MailRecovery.Cli.Alias;

/// <summary>The --json report of <c>alias verify</c>.</summary>
/// <param name="PrimaryCleanup">What became of the probe in the primary (<c>removed</c>, <c>markeddeleted</c>, <c>takenfirst</c>, <c>neverseen</c>, <c>left</c>, <c>failed</c>); absent without a primary.</param>
internal sealed record ProbeJson(
    bool Ok,
    int ExitCode,
    string Verdict,
    string Alias,
    string Token,
    ProbeJson.SmtpJson? Smtp,
    ProbeJson.MailboxJson? Copy,
    ProbeJson.MailboxJson? Primary,
    IReadOnlyList<ProbeJson.FindingJson> Findings,
    IReadOnlyList<string> Notes,
    string? PrimaryCleanup)
{
    internal sealed record SmtpJson(bool Accepted, int? ReplyCode, string? ReplyText, DateTimeOffset SentAt);

    internal sealed record MailboxJson(
        string Mailbox,
        bool Delivered,
        double? LatencySeconds,
        string? Folder,
        IReadOnlyList<string> DeliveredTo,
        int? QuotaPercent);

    internal sealed record FindingJson(string Problem, string Fix);
}
