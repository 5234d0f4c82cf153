namespace MailRecovery.Core.Archive;

/// <summary>
/// One message waiting in the helpdesk's (primary) account at a look. A message known from an earlier look
/// carries its server id only; a new one carries what identity needed (see <see cref="PrimaryLedger"/>).
/// </summary>
/// <param name="ServerId">The IMAP UID (prefixed with the UIDVALIDITY) or the POP3 UIDL.</param>
/// <param name="MessageId">The Message-ID without angle brackets, or null.</param>
/// <param name="Fingerprint">The <see cref="MessageFingerprint"/> of the whole message, when it had to be read whole.</param>
/// <param name="File">The archive file it is, when already known.</param>
/// <param name="Size">The size the server announced, or null.</param>
public sealed record PrimarySighting(string ServerId, string? MessageId = null, string? Fingerprint = null, string? File = null, long? Size = null);
