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

    /// <summary>True when <see cref="FingerprintAsync"/> can read messages whole (not mbox, nor a POP3 server without UIDL).</summary>
    bool ReadsWhole => false;

    /// <summary>
    /// The fingerprints (<see cref="Archive.MessageFingerprint"/>) of listed messages, read whole and read-only, keyed
    /// by <see cref="AuditMessage.Locator"/>; a message that vanished meanwhile is left out. The audit asks only for
    /// the messages whose Message-ID cannot tell (missing, repeated, or shared in the archive).
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> FingerprintAsync(IReadOnlyList<AuditMessage> messages, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
}
