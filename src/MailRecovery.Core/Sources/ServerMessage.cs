namespace MailRecovery.Core.Sources;

/// <summary>
/// One message as the server lists it, before it is downloaded.
/// </summary>
/// <param name="ServerId">IMAP: the UID in decimal. POP3: the UIDL. Stable across sessions (within one UIDVALIDITY).</param>
/// <param name="Index">IMAP: the UID. POP3: the message number of this session (RFC 1939 §5: from 1).</param>
/// <param name="Size">The size in bytes the server announced (RFC822.SIZE or LIST), or -1 when unknown.</param>
/// <param name="InternalDate">IMAP INTERNALDATE (the server's receipt time); null for POP3 or when not described yet.</param>
/// <param name="MessageId">The Message-ID header, when the reader was asked for it; null otherwise or when absent.</param>
public sealed record ServerMessage(string ServerId, int Index, long Size, DateTimeOffset? InternalDate = null, string? MessageId = null);
