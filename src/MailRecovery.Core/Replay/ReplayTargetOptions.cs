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

    /// <summary>
    /// SMTP: <c>--connections</c> (or <c>replay.connections</c>), the most sessions delivering at once. Other
    /// targets deliver on one connection.
    /// </summary>
    /// <value>The default value is <see cref="DefaultConnections"/>.</value>
    public int Connections { get; init; } = DefaultConnections;

    /// <summary>
    /// 8: one session spends most of its time waiting for the reply to DATA (Postfix stores the message first,
    /// ~40 ms). Measured on the test bed's Postfix, 2,000 messages, load average 9–16 on 2 cores: 1 connection
    /// 21/s, 2: 42/s, 4: 79/s, 8: 129/s, 16: 170/s (bench/: replay-smtp). Eight clear four times one connection
    /// with a margin and stay far below the usual caps per client (Postfix 50, Exchange 20); sixteen gain a third
    /// more for twice the server's load.
    /// </summary>
    public const int DefaultConnections = 8;

    /// <summary>The most <see cref="Connections"/>: Postfix's default cap per client (<c>smtpd_client_connection_count_limit</c>).</summary>
    public const int MaxConnections = 50;
}
