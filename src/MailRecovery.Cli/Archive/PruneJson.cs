using MailRecovery.Core.Archive;

namespace MailRecovery.Cli.Archive;

/// <summary>The --json report of <c>archive prune</c>: the exact messages selected (a dry run) or removed.</summary>
/// <param name="Cutoff">Messages received before this moment (exclusive) are selected.</param>
internal sealed record PruneJson(bool Ok, int ExitCode, bool DryRun, DateTimeOffset Cutoff, int Count, long Bytes, IReadOnlyList<PrunedMessage> Messages, int LeftoversRemoved);
