using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Primary;

/// <summary>
/// One look at the helpdesk's own account, recorded in the primary ledger (<see cref="PrimaryLedger"/>). Reads as
/// little as identity needs: a message already in the ledger costs its server id; a new one its headers when
/// its Message-ID occurs exactly once in the archive (that file is the message), else the whole message,
/// streamed through <see cref="MessageFingerprint"/>. The index is touched only under the archive gate (one
/// SQLite connection serves every account of a <c>watch</c>); the network is never waited on while holding it.
/// </summary>
public sealed class PrimaryLookRun
{
    private readonly ArchiveIndex index;
    private readonly Func<PrimarySpec, IPrimaryObserver> observers;
    private readonly TimeProvider clock;
    private readonly SemaphoreSlim gate;

    public PrimaryLookRun(ArchiveIndex index, Func<PrimarySpec, IPrimaryObserver> observers, TimeProvider clock, SemaphoreSlim gate)
    {
        this.index = index;
        this.observers = observers;
        this.clock = clock;
        this.gate = gate;
    }

    /// <summary>The observer for a primary: IMAP or POP3.</summary>
    public static IPrimaryObserver DefaultObserver(PrimarySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Endpoint.Protocol == Sources.MailProtocol.Imap ? new ImapPrimaryObserver(spec) : new Pop3PrimaryObserver(spec);
    }

    /// <param name="account">The copy account this primary belongs to: its <c>AccountKey</c>, as the fetch state (<c>source_messages.account</c>) names it.</param>
    /// <exception cref="Errors.MailRecoveryException">The look failed (classified); nothing was recorded.</exception>
    public async Task<PrimaryLookReport> LookAsync(string account, PrimarySpec primary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(primary);
        var ledger = new PrimaryLedger(index);
        HashSet<string> known = await Locked(() => ledger.KnownIds(primary.Key), cancellationToken);

        // The look's time is taken before listing: a message listed as waiting was there at or after it. A take
        // during the listing is stamped at most one listing (well under a second) early.
        DateTimeOffset at = clock.GetUtcNow();
        await using IPrimaryObserver observer = observers(primary);
        IReadOnlyList<PrimaryListing> waiting = await observer.ListWaitingAsync(known, cancellationToken);

        var sightings = new List<PrimarySighting>(waiting.Count);
        int fresh = 0, whole = 0;
        foreach (PrimaryListing m in waiting)
        {
            if (!m.IsNew)
            {
                sightings.Add(new PrimarySighting(m.ServerId, Size: m.Size));
                continue;
            }

            fresh++;
            IReadOnlyList<string> byId = m.MessageId is null ? [] : await Locked(() => ledger.FilesWithMessageId(m.MessageId), cancellationToken);
            if (byId.Count == 1)
            {
                sightings.Add(new PrimarySighting(m.ServerId, m.MessageId, null, byId[0], m.Size));
                continue;
            }

            // No Message-ID, or one the archive holds twice or not yet: only the content tells which message it is.
            string? fingerprint = await observer.FingerprintAsync(m.ServerId, cancellationToken);
            if (fingerprint is not null)
                whole++;
            string? file = fingerprint is null ? null : await Locked(() => ledger.FileWithFingerprint(fingerprint), cancellationToken);
            sightings.Add(new PrimarySighting(m.ServerId, m.MessageId, fingerprint, file, m.Size));
        }

        int unmatched = await Locked(() =>
        {
            ledger.RecordLook(primary.Key, account, at, sightings);
            return ledger.MatchPending();
        }, cancellationToken);
        return new PrimaryLookReport(at, waiting.Count, fresh, whole, unmatched);
    }

    private async Task<T> Locked<T>(Func<T> action, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            return action();
        }
        finally
        {
            gate.Release();
        }
    }
}
