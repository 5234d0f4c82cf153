namespace MailRecovery.Core.Sources.InputGuard;

/// <summary>How a server's input is cut into the units that <see cref="ServerInputGuard"/> bounds.</summary>
public enum ServerFraming
{
    /// <summary>
    /// IMAP (RFC 9051 §4.3): lines, and literals announced by <c>{N}</c> at a line end. A message body literal is
    /// not counted (it is streamed); any other literal counts toward its line, as MailKit holds it in memory.
    /// </summary>
    Imap,

    /// <summary>POP3 (RFC 1939 §3): lines.</summary>
    Pop3,

    /// <summary>SMTP (RFC 5321 §4.2.1): whole replies, a multi-line one (<c>250-…</c> … <c>250 …</c>) counted as one.</summary>
    Smtp,
}
