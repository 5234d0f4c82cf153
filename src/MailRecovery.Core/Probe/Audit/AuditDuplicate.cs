namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// One message the primary holds more than once in the window: the helpdesk has (or will make) a ticket per copy.
/// A duplicating replay leaves exactly this behind.
/// </summary>
/// <param name="Message">The oldest of the copies.</param>
/// <param name="Copies">How many the primary holds (2 or more).</param>
/// <param name="ContentCompared">
/// True when the copies' fingerprints are equal (the same message). False when the primary could not be read
/// whole (POP3 without RETR, mbox) and only the Message-ID repeats: possibly two different messages sharing it.
/// </param>
public sealed record AuditDuplicate(AuditMessage Message, int Copies, bool ContentCompared);
