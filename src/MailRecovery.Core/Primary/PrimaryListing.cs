namespace MailRecovery.Core.Primary;

/// <summary>One message waiting in the primary at a look.</summary>
/// <param name="IsNew">Not in the ledger yet: its headers were read and <see cref="MessageId"/> is filled in.</param>
/// <param name="MessageId">Without angle brackets; null when the message has none or is not new.</param>
/// <param name="Size">The size the server announced (IMAP RFC822.SIZE, POP3 LIST), or null.</param>
public sealed record PrimaryListing(string ServerId, bool IsNew, string? MessageId, long? Size);
