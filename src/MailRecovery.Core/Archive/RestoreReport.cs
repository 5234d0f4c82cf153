namespace MailRecovery.Core.Archive;

/// <summary>A finished <c>archive restore</c>.</summary>
/// <param name="BackupTakenAt">When the backup's snapshot was taken (null for a backup made by other means).</param>
/// <param name="MovedAside">Where the archive that was there went (<c>DIR.before-restore-TIME</c>), or null when there was none.</param>
/// <param name="NewerInMovedAside">Messages the moved-aside archive holds that the backup does not (archived after the backup); null when it could not be read.</param>
public sealed record RestoreReport(string Archive, DateTimeOffset? BackupTakenAt, ArchiveCopy Copy, VerifyReport Verify, string? MovedAside, int? NewerInMovedAside);
