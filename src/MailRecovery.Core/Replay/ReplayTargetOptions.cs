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
    /// <summary>SMTP/LMTP: <c>--check-in</c>, the IMAP mailbox the target delivers to, looked at read-only; null when not given.</summary>
    public string? CheckIn { get; init; }

    /// <summary>The check-in mailbox's password file; without it, <c>$MAILRECOVERY_CHECK_IN_PASSWORD</c>.</summary>
    public string? CheckInPasswordFile { get; init; }

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
    /// 4: on the test bed's Postfix, one session spends most of its time waiting for the reply to DATA, and four
    /// deliver about four times as fast; more gain little on a small machine (bench/: replay-smtp), and four stay
    /// far below Postfix's defaults (100 smtpd processes, 50 connections per client).
    /// </summary>
    public const int DefaultConnections = 4;

    /// <summary>The most <see cref="Connections"/>: Postfix's default cap per client (<c>smtpd_client_connection_count_limit</c>).</summary>
    public const int MaxConnections = 50;
}
