namespace MailRecovery.Core.Replay;

/// <summary>The command-line settings a target may need (each target uses its own part).</summary>
/// <param name="Rcpts">SMTP/LMTP envelope recipients.</param>
/// <param name="MailFrom">SMTP/LMTP envelope sender when the message has no Return-Path.</param>
/// <param name="ResentHeaders">SMTP/LMTP: prepend Resent-* headers (changes the bytes, on purpose).</param>
/// <param name="MarkSeen">IMAP: append with \Seen instead of as unread mail.</param>
public sealed record ReplayTargetOptions(
    string? PasswordFile,
    string? CaFile,
    bool Insecure,
    IReadOnlyList<string> Rcpts,
    string? MailFrom,
    bool ResentHeaders,
    bool MarkSeen)
{
    /// <summary>The target's credential when it is not a password (<c>--token-file</c>, <c>--token-command</c>, the configuration's tokens); null: <see cref="PasswordFile"/>.</summary>
    public Protocols.Credential? Credential { get; init; }

    /// <summary>The check-in mailbox's credential when it is not a password; null: <see cref="CheckInPasswordFile"/>.</summary>
    public Protocols.Credential? CheckInCredential { get; init; }

    /// <summary>SMTP/LMTP: <c>--check-in</c>, the IMAP mailbox the target delivers to, looked at read-only; null when not given.</summary>
    public string? CheckIn { get; init; }

    /// <summary>The check-in mailbox's password file; without it, <see cref="CheckInPasswordEnvironmentVariable"/>.</summary>
    public string? CheckInPasswordFile { get; init; }

    /// <summary>The variable holding the check-in mailbox's password (the configuration's <c>replay.checkInPasswordEnv</c>).</summary>
    /// <value>The default value is MAILRECOVERY_CHECK_IN_PASSWORD.</value>
    public string CheckInPasswordEnvironmentVariable { get; init; } = "MAILRECOVERY_CHECK_IN_PASSWORD";

    /// <summary>The variable holding the target's password when there is no <see cref="PasswordFile"/> (the configuration's <c>replay.passwordEnv</c>).</summary>
    /// <value>The default value is MAILRECOVERY_PASSWORD.</value>
    public string PasswordEnvironmentVariable { get; init; } = "MAILRECOVERY_PASSWORD";
}
