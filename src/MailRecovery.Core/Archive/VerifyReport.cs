namespace MailRecovery.Core.Archive;

/// <summary>What <see cref="ArchiveVerifier"/> found. The archive is sound when <see cref="Problems"/> is empty.</summary>
public sealed record VerifyReport(int Checked, long Bytes, IReadOnlyList<ArchiveProblem> Problems)
{
    public bool IsSound => Problems.Count == 0;
}
