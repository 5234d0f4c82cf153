// MailRecovery runs on Linux and other Unix systems: Maildir semantics (rename, fsync of directories,
// 0600 modes, flock) are Unix ones.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
