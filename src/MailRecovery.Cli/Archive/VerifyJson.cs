using MailRecovery.Core.Archive;

namespace MailRecovery.Cli.Archive;

/// <summary>The --json report of <c>archive verify</c>.</summary>
/// <param name="InFlight">Files of a running fetch's batch not yet committed: not problems.</param>
internal sealed record VerifyJson(bool Ok, int ExitCode, int Checked, long Bytes, IReadOnlyList<ArchiveProblem> Problems, int InFlight)
{
    /// <summary>Files of a prune cut short after its commit: out of the index, unlinked by the next writer. Not problems.</summary>
    public int PrunePending { get; init; }
}
