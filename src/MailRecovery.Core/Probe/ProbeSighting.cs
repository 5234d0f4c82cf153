using MimeKit;

namespace MailRecovery.Core.Probe;

/// <summary>Where a probe was found in a mailbox, and its headers (read without setting \Seen).</summary>
/// <param name="Id">IMAP UID or POP3 UIDL, for cleanup.</param>
public sealed record ProbeSighting(string Folder, string Id, HeaderList Headers);
