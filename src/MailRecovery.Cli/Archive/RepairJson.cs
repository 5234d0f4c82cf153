using MailRecovery.Core.Archive;

namespace MailRecovery.Cli.Archive;

/// <summary>The --json report of <c>archive repair</c>.</summary>
internal sealed record RepairJson(bool Ok, int ExitCode, int Damaged, int Repaired, IReadOnlyList<LostMessage> Lost, IReadOnlyList<ArchiveProblem> Problems, IReadOnlyList<string> Failures);
