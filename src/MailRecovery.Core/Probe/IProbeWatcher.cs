namespace MailRecovery.Core.Probe;

/// <summary>
/// Looks for a probe in one account without disturbing it: IMAP SEARCH and BODY.PEEK, POP3 UIDL and TOP only;
/// never deletes or flags anything but the probe itself, and that only on cleanup.
/// Implementations: <see cref="ImapProbeWatcher"/>, <see cref="Pop3ProbeWatcher"/>.
/// </summary>
public interface IProbeWatcher : IAsyncDisposable
{
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>One look; null when the probe is not there (yet).</summary>
    Task<ProbeSighting?> LookAsync(string token, CancellationToken cancellationToken);

    /// <summary>How full the mailbox is, in percent, when the server tells (IMAP QUOTA, RFC 9208); else null.</summary>
    Task<int?> QuotaPercentAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the probe (and nothing else) from the account: the message at the sighting's id, and only after its
    /// headers, read again, carry <paramref name="token"/> in <c>X-MailRecovery-Probe</c> (never by subject).
    /// </summary>
    Task<ProbeRemoval> RemoveAsync(ProbeSighting sighting, string token, CancellationToken cancellationToken);
}
