using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// <c>replay --check-in URI</c>: an SMTP or LMTP target that can look. SMTP and LMTP cannot be asked whether a
/// message arrived; this decorator looks in the mailbox they deliver to (an IMAP mailbox, EXAMINEd: read-only,
/// bodies by <c>BODY.PEEK</c>) through <see cref="ImapPresence"/>, by <see cref="Archive.MessageIdentity"/>.
/// Delivering, checkpoints and the journal key are the inner target's.
/// <list type="bullet">
/// <item>Before a delivery: a copy there that is still new (neither <c>\Seen</c> nor <c>\Deleted</c>) is
/// present. A copy the reader has taken is not: for a helpdesk that reads only unseen messages it became a
/// ticket the restore lost, and since this target only looks, a new copy is delivered.</item>
/// <item>An unfinished delivery (intent without outcome, which SMTP and LMTP otherwise leave uncertain) is
/// settled: any copy there, taken or not, means it went through; none means it did not, and it is delivered
/// again. The listing is taken when the run opens the target, so mail the earlier run handed over has had the
/// time since to arrive; mail still in a queue then is delivered twice.</item>
/// </list>
/// </summary>
public sealed class ImapCheckInTarget : IReplayTarget
{
    private readonly IReplayTarget inner;
    private readonly SourceEndpoint endpoint;
    private readonly Protocols.Credential credentials;
    private readonly CertificateTrust trust;
    private readonly ImapClient client = MailServiceConnector.NewImapClient();
    private readonly ImapPresence presence = new();
    private IMailFolder? folder;

    /// <param name="inner">The SMTP or LMTP target that delivers.</param>
    /// <param name="endpoint">The mailbox the inner target's mail ends up in (imap[s]://user@host[:port]/Mailbox).</param>
    public ImapCheckInTarget(IReplayTarget inner, SourceEndpoint endpoint, Protocols.Credential credentials, CertificateTrust trust)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(endpoint);
        this.inner = inner;
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.trust = trust;
    }

    private string Mailbox => endpoint.Mailboxes.Count > 0 ? endpoint.Mailboxes[0] : "INBOX";

    private string CheckIn => $"{endpoint.AccountKey}/{Mailbox}";

    public string Description => $"{inner.Description}, checked in {CheckIn}";

    /// <summary>The inner target's: looking changes how a delivery is settled, not where it goes.</summary>
    public string JournalKey => inner.JournalKey;

    public bool DeliversAtComplete => inner.DeliversAtComplete;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await inner.OpenAsync(cancellationToken);
        try
        {
            await ImapSessions.OpenAsync(client, endpoint, credentials, trust, cancellationToken);
            folder = await ImapFolderLookup.GetAsync(client, Mailbox, $"check-in mailbox {CheckIn}", cancellationToken);
            await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
            await presence.LoadAsync(folder, cancellationToken);
        }
        catch (FolderNotFoundException)
        {
            throw MailRecoveryException.Usage($"--check-in {endpoint.AccountKey} has no mailbox '{Mailbox}'.", "give the mailbox the target delivers to, e.g. --check-in imaps://helpdesk@mail.example.com/INBOX.");
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"check-in mailbox {CheckIn}");
        }
    }

    public string? Checkpoint(ReplayItem item) => inner.Checkpoint(item);

    public async Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        IReadOnlyList<ImapCopy> copies;
        try
        {
            copies = await presence.FindAsync(folder!, item, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"check-in mailbox {CheckIn}");
        }

        if (copies.Count == 0)
            return Presence.Absent;
        return checkpoint is not null || copies.Any(c => !c.Taken) ? Presence.Present : Presence.Absent;
    }

    public async Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        await inner.DeliverAsync(item, cancellationToken);
        await presence.RememberAsync(item, cancellationToken);
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await inner.CompleteAsync(cancellationToken);
        if (client.IsConnected)
            await client.DisconnectAsync(true, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or ImapProtocolException or TimeoutException or ServiceNotConnectedException)
        {
            // Gone already; it only looked.
        }

        client.Dispose();
    }
}
