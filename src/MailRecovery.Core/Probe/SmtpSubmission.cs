namespace MailRecovery.Core.Probe;

/// <summary>How the SMTP server took the probe.</summary>
/// <param name="ReplyCode">The refusal's reply code (RFC 5321 §4.2), when refused.</param>
public sealed record SmtpSubmission(bool Accepted, int? ReplyCode, string? ReplyText, DateTimeOffset SentAt);
