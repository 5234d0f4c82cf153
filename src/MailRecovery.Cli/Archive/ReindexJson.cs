using MailRecovery.Core.Archive;

namespace MailRecovery.Cli.Archive;

/// <summary>The --json report of <c>archive reindex</c>.</summary>
internal sealed record ReindexJson(bool Ok, int ExitCode, int Indexed, string? IndexMovedAside, IReadOnlyList<QuarantinedFile> Quarantined, IReadOnlyList<LostMessage> Kept);
