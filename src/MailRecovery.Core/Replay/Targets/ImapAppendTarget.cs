using System.Security.Cryptography;
using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MimeKit;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// Appends to an IMAP mailbox (RFC 9051 §6.3.12 APPEND) with INTERNALDATE = the message's receipt time and no
/// \Seen flag, so the helpdesk sees it as new mail that arrived when it really arrived. Before appending, and
/// before re-sending anything whose earlier outcome was lost, it looks for the message in the mailbox: by
/// Message-ID and size, and by content hash when the Message-ID is missing or shared by several messages.
/// </summary>
public sealed class ImapAppendTarget : IBatchReplayTarget
{
    /// <summary>Messages per MULTIAPPEND (RFC 3502) when the server offers it.</summary>
    public const int MultiAppendBatch = 50;

    private readonly SourceEndpoint endpoint;
    private readonly SourceCredentials credentials;
    private readonly CertificateTrust trust;
    private readonly bool markSeen;
    private readonly ImapClient client = new();
    private readonly HashSet<(string MessageId, long Size)> present = [];
    private readonly Dictionary<long, List<UniqueId>> bySize = [];
    private IMailFolder? folder;

    /// <param name="markSeen">Append with \Seen (the default is unread, as new mail).</param>
    public ImapAppendTarget(SourceEndpoint endpoint, SourceCredentials credentials, CertificateTrust trust, bool markSeen)
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
            await MailServiceConnector.ConnectAsync(client, endpoint.Host, endpoint.Port, endpoint.Tls, trust, cancellationToken);
            await MailServiceConnector.LoginAsync(client, endpoint.User, credentials.Read(Description), cancellationToken);
            folder = string.Equals(Mailbox, "INBOX", StringComparison.OrdinalIgnoreCase) ? client.Inbox : await client.GetFolderAsync(Mailbox, cancellationToken);
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
        if (checkpoint is not null)
        {
            // An earlier delivery's outcome was lost: look at the mailbox as it is now.
            await EnsureConnectedAsync(cancellationToken);
            await LoadPresenceAsync(cancellationToken);
        }

        string? id = item.Message.Metadata.MessageId;
        long size = item.ContentLength;
        if (id is not null && !item.MessageIdShared)
            return present.Contains((id, size)) ? Presence.Present : Presence.Absent;

        // No Message-ID, or one several archived messages share: compare content of same-size candidates.
        if (!bySize.TryGetValue(size, out List<UniqueId>? candidates))
            return Presence.Absent;
        await folder!.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        foreach (UniqueId uid in candidates)
        {
            using Stream stream = await folder.GetStreamAsync(uid, string.Empty, cancellationToken);
            if (await SameContentAsync(item, stream, cancellationToken))
                return Presence.Present;
        }

        return Presence.Absent;
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

        present.Add((item.Message.Metadata.MessageId ?? string.Empty, item.ContentLength));
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
            present.Add((item.Message.Metadata.MessageId ?? string.Empty, item.ContentLength));
    }

    /// <summary>
    /// Whether a candidate in the mailbox holds this message: the archived SHA-256; with <c>--deliver-as</c>
    /// (whose Delivered-To differs from the archive's) the fingerprint, which leaves that trace out.
    /// </summary>
    private static async Task<bool> SameContentAsync(ReplayItem item, Stream candidate, CancellationToken cancellationToken)
    {
        if (item.Rewrite is not null && item.Message.Fingerprint is { } fingerprint)
            return await Archive.MessageFingerprint.ComputeAsync(candidate, cancellationToken) == fingerprint;
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(candidate, cancellationToken)) == item.Message.Sha256;
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

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (client.IsConnected)
            await client.DisconnectAsync(true, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or ImapProtocolException or TimeoutException or ServiceNotConnectedException)
        {
            // Gone already; nothing is pending.
        }

        client.Dispose();
    }

    private async Task EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (client.IsConnected && client.IsAuthenticated)
            return;
        await MailServiceConnector.ConnectAsync(client, endpoint.Host, endpoint.Port, endpoint.Tls, trust, cancellationToken);
        await MailServiceConnector.LoginAsync(client, endpoint.User, credentials.Read(Description), cancellationToken);
        folder = string.Equals(Mailbox, "INBOX", StringComparison.OrdinalIgnoreCase) ? client.Inbox : await client.GetFolderAsync(Mailbox, cancellationToken);
    }

    /// <summary>One FETCH of (UID, RFC822.SIZE, ENVELOPE) over the whole mailbox: what is there already.</summary>
    private async Task LoadPresenceAsync(CancellationToken cancellationToken)
    {
        present.Clear();
        bySize.Clear();
        await folder!.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        if (folder.Count == 0)
            return;
        IList<IMessageSummary> summaries = await folder.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Size | MessageSummaryItems.Envelope, cancellationToken);
        foreach (IMessageSummary s in summaries)
        {
            long size = s.Size is uint n ? n : -1;
            string? id = s.Envelope?.MessageId?.Trim().Trim('<', '>');
            if (!string.IsNullOrEmpty(id))
                present.Add((id, size));
            if (!bySize.TryGetValue(size, out List<UniqueId>? list))
                bySize[size] = list = [];
            list.Add(s.UniqueId);
        }
    }
}
