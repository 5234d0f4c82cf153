using MailRecovery.Cli.Common;
using MailRecovery.Core.Archive;

namespace MailRecovery.Cli.Fetch;

/// <summary>The --json report of <c>fetch</c>: totals, then one entry per account.</summary>
internal sealed record FetchJson(
    bool Ok,
    int ExitCode,
    int Fetched,
    int AlreadyHad,
    int Failed,
    int Vanished,
    long Bytes,
    double ElapsedSeconds,
    int Repaired,
    int Lost,
    IReadOnlyList<FetchJson.FetchAccountJson> Accounts)
{
    internal sealed record FetchAccountJson(
        string Account,
        int Fetched,
        int AlreadyHad,
        int Failed,
        int Vanished,
        int Removed,
        long Bytes,
        IReadOnlyList<string> Failures,
        IReadOnlyList<string> Warnings,
        ErrorJson.Detail? Error,
        int Repaired,
        IReadOnlyList<LostMessage> Lost);
}
