namespace MailRecovery.Core.Sources.Pop3Wire;

/// <summary>One message of the maildrop, from <c>UIDL</c> and <c>LIST</c> (RFC 1939 §5, §7).</summary>
/// <param name="Number">The message number: valid in this session only.</param>
/// <param name="Uid">The unique-id listing: the same message keeps it across sessions.</param>
/// <param name="Size">The size in octets the server announces (with CRLF line ends).</param>
public sealed record Pop3Listing(int Number, string Uid, long Size);
