namespace MailRecovery.Cli.Archive;

/// <summary>The --json report of <c>archive backup</c>.</summary>
/// <param name="TakenUtc">The moment of the index snapshot: the backup holds what was committed then.</param>
/// <param name="PrunedMeanwhile">Messages a prune removed while the backup ran: pruned in the backup too.</param>
internal sealed record BackupJson(bool Ok, int ExitCode, string Backup, DateTimeOffset TakenUtc, int Messages, int Linked, int Copied, long Bytes, bool Journal, int PrunedMeanwhile, bool Sound);
