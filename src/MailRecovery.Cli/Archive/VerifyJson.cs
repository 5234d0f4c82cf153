using MailRecovery.Core.Archive;

namespace MailRecovery.Cli.Archive;

/// <summary>The --json report of <c>archive verify</c>.</summary>
internal sealed record VerifyJson(bool Ok, int ExitCode, int Checked, long Bytes, IReadOnlyList<ArchiveProblem> Problems);
