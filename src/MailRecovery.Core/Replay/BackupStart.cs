namespace MailRecovery.Core.Replay;

/// <summary>When a backup was taken, and what says so.</summary>
/// <param name="Time">The newest modification time found, rounded down to the whole second.</param>
/// <param name="SetBy">The file that carries it: a path under the directory, or <c>ARCHIVE: member/path</c>.</param>
public sealed record BackupStart(DateTimeOffset Time, string SetBy);
