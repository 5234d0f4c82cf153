namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// Where the primary (helpdesk) account keeps its mail, read without changing anything: an IMAP mailbox, a
/// POP3 maildrop, or a Maildir, mbox or directory of .eml files the helpdesk exported.
/// </summary>
public interface IPrimaryMailSource
{
    /// <summary>The source as the user named it, for reports (never contains a password).</summary>
    string Description { get; }

    /// <summary>
    /// The messages received in [<paramref name="from"/>, <paramref name="until"/>): the interval includes its
    /// start and excludes its end. A message with no time at all cannot be placed and is left out.
    /// </summary>
    /// <exception cref="Errors.MailRecoveryException">Classified: unreachable server, refused login, unreadable file.</exception>
    Task<IReadOnlyList<AuditMessage>> ListAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);
}
