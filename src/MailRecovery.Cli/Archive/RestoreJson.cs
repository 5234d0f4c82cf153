namespace MailRecovery.Cli.Archive;

/// <summary>The --json report of <c>archive restore</c>.</summary>
/// <param name="BackupTakenUtc">The backup's moment; null for a backup not made by <c>archive backup</c>.</param>
/// <param name="MovedAside">Where the archive that was there went; null when there was none.</param>
/// <param name="NewerInMovedAside">Messages only the moved-aside archive holds (archived after the backup); null when unknown.</param>
internal sealed record RestoreJson(bool Ok, int ExitCode, string Archive, DateTimeOffset? BackupTakenUtc, int Messages, int Linked, int Copied, long Bytes, string? MovedAside, int? NewerInMovedAside, bool Sound);
