using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Fetch;

/// <summary>What <see cref="ArchiveRepairRun"/> found and did.</summary>
/// <param name="Damaged">Files missing or damaged before the repair.</param>
/// <param name="Repaired">Of those, put back with the server's bytes.</param>
/// <param name="Lost">Still missing: no configured account has the message (or its download failed; see <see cref="Fetch"/>).</param>
/// <param name="OtherProblems">What verify still reports that is not a damaged file (not-indexed files, links, sizes).</param>
public sealed record ArchiveRepairReport(int Damaged, int Repaired, IReadOnlyList<LostMessage> Lost, IReadOnlyList<ArchiveProblem> OtherProblems, FetchReport Fetch)
{
    public bool IsSound => Lost.Count == 0 && OtherProblems.Count == 0 && Fetch.Accounts.All(a => a.Error is null && a.Failed == 0);
}
