namespace MailRecovery.Core.Archive;

/// <summary>
/// "This server message is archived as that file": the fetch state. Several server messages may share one
/// file (byte-identical content is stored once).
/// </summary>
/// <param name="ServerId">IMAP UID (decimal), POP3 UIDL, or <c>sha256:HEX</c> for a POP3 server without UIDL.</param>
/// <param name="ServerSize">The size the server announced (IMAP RFC822.SIZE, POP3 LIST); null when unknown.</param>
public sealed record SourceLink(string Account, string Mailbox, uint UidValidity, string ServerId, string File, DateTimeOffset FetchedAt, long? ServerSize = null);
