using MimeKit;

namespace MailRecovery.Core.Probe;

/// <summary>Where a probe was found in a mailbox, and its headers (read without setting \Seen).</summary>
/// <param name="Id">IMAP UID or POP3 UIDL, for cleanup.</param>
/// <param name="Taken">
/// Over IMAP: the probe already carried \Seen or \Deleted when it was found, so the helpdesk had taken it (a
/// helpdesk that keeps its mail marks what it pulled \Seen). Always false over POP3, where taking is deleting.
/// </param>
public sealed record ProbeSighting(string Folder, string Id, HeaderList Headers, bool Taken = false);
