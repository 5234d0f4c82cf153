namespace MailRecovery.Core.Archive;

/// <summary>What <c>status</c> shows of one observed primary (helpdesk) account.</summary>
/// <param name="Primary">The primary's key (<c>imap://user@host:port/INBOX</c>, <c>pop3://user@host:port</c>).</param>
/// <param name="Account">The copy account it belongs to.</param>
/// <param name="LastLook">The newest successful look.</param>
/// <param name="Waiting">Messages waiting at that look.</param>
/// <param name="LastTaken">When the helpdesk last took a message (the first look that missed it); null when never seen.</param>
/// <param name="OldestWaitingSince">The first sighting of the oldest message still waiting, or null when none waits.</param>
public sealed record PrimaryState(string Primary, string Account, DateTimeOffset LastLook, int Waiting, DateTimeOffset? LastTaken, DateTimeOffset? OldestWaitingSince);
