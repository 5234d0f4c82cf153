namespace MailRecovery.Core.Archive;

/// <summary>A finished <c>archive backup</c>: where it is, what it holds, and that it verified sound.</summary>
/// <param name="Directory">The backup (the --to directory).</param>
public sealed record BackupReport(string Directory, ArchiveCopy Copy, VerifyReport Verify);
