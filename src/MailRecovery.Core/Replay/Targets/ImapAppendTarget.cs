using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MimeKit;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// Appends to an IMAP mailbox (RFC 9051 §6.3.12 APPEND) with INTERNALDATE = the message's receipt time and no
/// \Seen flag, so the helpdesk sees it as new mail that arrived when it really arrived. Before appending, and
/// before re-sending anything whose earlier outcome was lost, it looks for the message in the mailbox by
/// <see cref="Archive.MessageIdentity"/> (<see cref="ImapPresence"/>), so an alias copy still waiting there counts as
/// present although its delivery trace differs.
/// <para>
/// A copy that the helpdesk has taken (<c>\Seen</c> or <c>\Deleted</c>) does not count: for a helpdesk that keeps
/// its mail on the server and reads only unseen messages, it became a ticket the restore lost. Such a copy is made
/// unread again (<c>UID STORE -FLAGS (\Seen \Deleted)</c>) instead of appending a second one, unless this replay
/// put it there (an unfinished delivery, or <c>--seen</c>).
/// </para>
/// </summary>
public sealed class ImapAppendTarget : IBatchReplayTarget
{
    /// <summary>Messages per MULTIAPPEND (RFC 3502) when the server offers it.</summary>
    public const int MultiAppendBatch = 50;

    private readonly SourceEndpoint endpoint;
    private readonly Protocols.Credential credentials;
    private readonly CertificateTrust trust;
    private readonly bool markSeen;
    private readonly ImapClient client = MailServiceConnector.NewImapClient();
    private readonly ImapPresence presence = new();

    /// <summary>The taken copy found for each file answered <see cref="Presence.Taken"/>, for <see cref="OfferAgainAsync"/>.</summary>
    private readonly Dictionary<string, UniqueId> taken = new(StringComparer.Ordinal);
    private IMailFolder? folder;

    /// <param name="markSeen">Append with \Seen (the default is unread, as new mail).</param>
    public ImapAppendTarget(SourceEndpoint endpoint, Protocols.Credential credentials, CertificateTrust trust, bool markSeen)
    {
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.trust = trust;
        this.markSeen = markSeen;
    }

    private string Mailbox => endpoint.Mailboxes.Count > 0 ? endpoint.Mailboxes[0] : "INBOX";

    public string Description => $"{(endpoint.Tls == TlsMode.Implicit ? "imaps" : "imap")}://{endpoint.User}@{endpoint.Host}:{endpoint.Port}/{Mailbox}";

    public string JournalKey => $"imap://{endpoint.User}@{endpoint.Host}:{endpoint.Port}/{Mailbox}";

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ImapSessions.OpenAsync(client, endpoint, credentials, trust, Description, cancellationToken);
            folder = await ImapFolderLookup.GetAsync(client, Mailbox, $"target {Description}", cancellationToken);
            await LoadPresenceAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"target {Description}");
        }
    }

    public int MaxBatch => client.Capabilities.HasFlag(ImapCapabilities.MultiAppend) ? MultiAppendBatch : 1;

    public string? Checkpoint(ReplayItem item) => null;

    public async Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        try
        {
            await EnsureConnectedAsync(cancellationToken);
            if (checkpoint is not null)
                await LoadPresenceAsync(cancellationToken); // an earlier delivery's outcome was lost: look at the mailbox as it is now
            if (!folder!.IsOpen)
                await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
            IReadOnlyList<ImapCopy> copies = await presence.FindAsync(folder, item, cancellationToken);
            if (copies.Count == 0)
                return Presence.Absent;

            // A copy still new is there; so is one this replay put there (an unfinished delivery the helpdesk has
            // taken since, or one appended as read with --seen): making it new again would duplicate the ticket.
            if (checkpoint is not null || markSeen || copies.Any(c => !c.Taken))
                return Presence.Present;
            taken[item.Message.File] = copies[^1].Uid;
            return Presence.Taken;
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"target {Description}");
        }
    }

    /// <summary>
    /// Clears <c>\Seen</c> and <c>\Deleted</c> on the taken copy (RFC 9051 §6.4.6 STORE; the mailbox is SELECTed for
    /// it), then reads its flags back: a copy expunged meanwhile is reported gone, and the message is appended.
    /// </summary>
    public async Task<bool> OfferAgainAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!taken.Remove(item.Message.File, out UniqueId uid))
            return false;
        try
        {
            await EnsureConnectedAsync(cancellationToken);
            if (folder!.Access != FolderAccess.ReadWrite)
                await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
            await folder.StoreAsync(uid, new StoreFlagsRequest(StoreAction.Remove, MessageFlags.Seen | MessageFlags.Deleted) { Silent = true }, cancellationToken);
            IList<IMessageSummary> now = await folder.FetchAsync([uid], MessageSummaryItems.UniqueId | MessageSummaryItems.Flags, cancellationToken);
            if (now.Count == 0 || now[0].Flags is not MessageFlags flags || (flags & (MessageFlags.Seen | MessageFlags.Deleted)) != 0)
                return false;
            presence.SetFlags(uid, flags);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"target {Description}");
        }
    }

    public async Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await EnsureConnectedAsync(cancellationToken);
        await using Stream file = Open(item);

        // The file's bytes, not a parsed message written back out (see VerbatimMessage).
        using MimeMessage message = VerbatimMessage.Create(file, crlf: false);
        var request = new AppendRequest(message, markSeen ? MessageFlags.Seen : MessageFlags.None, item.Message.Metadata.ReceivedAt);
        try
        {
            await folder!.AppendAsync(VerbatimMessage.Format(), request, cancellationToken);
        }
        catch (ImapCommandException e)
        {
            // A tagged NO/BAD: the server did not store it (RFC 9051 §6.3.12).
            throw new DeliveryException(e.Response == ImapCommandResponse.No && e.ResponseText.Contains("OVERQUOTA", StringComparison.OrdinalIgnoreCase)
                ? DeliveryOutcome.TryLater : DeliveryOutcome.Failed, $"the IMAP server refused the APPEND: {e.ResponseText}", e);
        }
        catch (Exception e) when (e is IOException or ImapProtocolException or ServiceNotConnectedException)
        {
            // The connection broke while the message was in flight: it may or may not be stored. The next
            // check (or the next run) searches the mailbox before anything is sent again.
            throw new DeliveryException(DeliveryOutcome.Uncertain, $"the connection broke during APPEND ({e.Message})", e);
        }

        await presence.RememberAsync(item, cancellationToken);
    }

    /// <summary>One MULTIAPPEND: the server stores all of the messages or none of them (RFC 3502 §1).</summary>
    public async Task DeliverBatchAsync(IReadOnlyList<ReplayItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        await EnsureConnectedAsync(cancellationToken);
        var files = new List<Stream>(items.Count);
        var messages = new List<MimeMessage>(items.Count);
        try
        {
            var requests = new List<IAppendRequest>(items.Count);
            foreach (ReplayItem item in items)
            {
                Stream file = Open(item);
                files.Add(file);
                MimeMessage message = VerbatimMessage.Create(file, crlf: false);
                messages.Add(message);
                requests.Add(new AppendRequest(message, markSeen ? MessageFlags.Seen : MessageFlags.None, item.Message.Metadata.ReceivedAt));
            }

            await folder!.AppendAsync(VerbatimMessage.Format(), requests, cancellationToken);
        }
        catch (ImapCommandException e)
        {
            throw new DeliveryException(DeliveryOutcome.Failed, $"the IMAP server refused the MULTIAPPEND: {e.ResponseText}", e);
        }
        catch (Exception e) when (e is IOException or ImapProtocolException or ServiceNotConnectedException)
        {
            throw new DeliveryException(DeliveryOutcome.Uncertain, $"the connection broke during MULTIAPPEND ({e.Message})", e);
        }
        finally
        {
            foreach (MimeMessage m in messages)
                m.Dispose();
            foreach (Stream f in files)
                await f.DisposeAsync();
        }

        foreach (ReplayItem item in items)
            await presence.RememberAsync(item, cancellationToken);
    }

    /// <summary>
    /// Opens the archived file before anything is sent: a file that cannot be read fails that message (the batch
    /// is then delivered one by one), it does not look like a broken connection.
    /// </summary>
    private static Stream Open(ReplayItem item)
    {
        try
        {
            return item.OpenRead();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DeliveryException(DeliveryOutcome.Failed, $"cannot read {item.Path} ({e.Message.TrimEnd('.')})", e);
        }
    }

    /// <summary>
    /// Logs out. Every APPEND was final at its tagged OK (RFC 9051 §6.3.12), so a server gone by now loses nothing:
    /// a broken connection here is not a failure of the run.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(true, cancellationToken);
        }
        catch (Exception e) when (e is IOException or ImapProtocolException or ServiceNotConnectedException or System.Net.Sockets.SocketException)
        {
            // Gone already; nothing is pending.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or ImapProtocolException or TimeoutException or ServiceNotConnectedException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            // Gone already; nothing is pending.
        }

        client.Dispose();
    }

    /// <summary>
    /// Connects again after the connection was lost. Nothing of the message has been sent yet, so what goes wrong
    /// here is classified as the target's failure (a server that went away is transient: the run stops with exit 75
    /// and the intent journaled, and the next run looks in the mailbox before it appends), never the message's.
    /// </summary>
    private async Task EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (client.IsConnected && client.IsAuthenticated)
            return;
        try
        {
            await ImapSessions.OpenAsync(client, endpoint, credentials, trust, Description, cancellationToken);
            folder = await ImapFolderLookup.GetAsync(client, Mailbox, $"target {Description}", cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"target {Description}");
        }
    }

    /// <summary>EXAMINE (read-only, RFC 9051 §6.3.3) and one listing of the mailbox: what is there already.</summary>
    private async Task LoadPresenceAsync(CancellationToken cancellationToken)
    {
        await folder!.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        await presence.LoadAsync(folder, cancellationToken);
    }
}
