using System.Globalization;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Primary;

/// <summary>
/// Looks at the helpdesk's IMAP mailbox read-only: EXAMINE (RFC 9051 §6.3.3: no flag can change, not even
/// \Recent), <c>UID SEARCH NOT SEEN NOT DELETED</c> for what waits, <c>BODY.PEEK[HEADER]</c> of new messages and
/// <c>BODY.PEEK[]</c> (in partial pieces) when the whole message is needed. Never \Seen, never an expunge.
/// "Waiting" is unseen and not deleted: a helpdesk that expunges makes a taken message disappear, one that keeps
/// its mail marks it \Seen (or \Deleted); both leave the search. Server ids are <c>UIDVALIDITY:UID</c>, so a new
/// UIDVALIDITY makes every message new (identified again) and the old rows taken, which the ledger's
/// identity grouping absorbs.
/// </summary>
public sealed class ImapPrimaryObserver : IPrimaryObserver
{
    private const int FetchBatch = 500;
    private readonly PrimarySpec spec;
    private readonly ImapClient client = MailServiceConnector.NewImapClient();
    private IMailFolder? folder;

    public ImapPrimaryObserver(PrimarySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        this.spec = spec;
    }

    public async Task<IReadOnlyList<PrimaryListing>> ListWaitingAsync(IReadOnlySet<string> known, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(known);
        try
        {
            SourceEndpoint e = spec.Endpoint;
            await ImapSessions.OpenAsync(client, e, spec.Credentials, spec.Trust, cancellationToken);
            string mailbox = e.Mailboxes.Count > 0 ? e.Mailboxes[0] : "INBOX";
            folder = await ImapFolderLookup.GetAsync(client, mailbox, $"primary {spec.Key}", cancellationToken);
            await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
            if (folder.Count == 0)
                return [];
            IList<UniqueId> waiting = await folder.SearchAsync(SearchQuery.NotSeen.And(SearchQuery.NotDeleted), cancellationToken);
            var listed = new List<PrimaryListing>(waiting.Count);
            var fresh = new List<UniqueId>();
            foreach (UniqueId uid in waiting)
            {
                string id = Id(uid);
                if (known.Contains(id))
                    listed.Add(new PrimaryListing(id, false, null, null));
                else
                    fresh.Add(uid);
            }

            var request = new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Size | MessageSummaryItems.Headers);
            foreach (UniqueId[] batch in fresh.Chunk(FetchBatch))
            {
                foreach (IMessageSummary s in await folder.FetchAsync(batch, request, cancellationToken))
                    listed.Add(new PrimaryListing(Id(s.UniqueId), true, s.Headers is null ? null : MessageMetadataReader.MessageId(s.Headers), s.Size));
            }

            return listed;
        }
        catch (FolderNotFoundException)
        {
            throw MailRecoveryException.Usage($"the primary {spec.Endpoint.AccountKey} has no mailbox '{spec.Endpoint.Mailboxes[0]}'.", "give the helpdesk's mailbox after the host, e.g. --primary imaps://helpdesk@mail.example.com/INBOX.");
        }
        catch (Exception e) when (e is not OperationCanceledException and not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"primary {spec.Key}");
        }
    }

    public async Task<string?> FingerprintAsync(string serverId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serverId);
        if (folder is not ImapFolder imap)
            throw new InvalidOperationException("list before reading a message");
        uint uid = uint.Parse(serverId[(serverId.IndexOf(':', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
        try
        {
            await using var stream = new ImapPartialStream(imap, new UniqueId(imap.UidValidity, uid), 1024 * 1024);
            using var fingerprint = new MessageFingerprint();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                fingerprint.Append(buffer.AsSpan(0, n));
                total += n;
            }

            return total == 0 ? null : fingerprint.Finish(); // no data: expunged since the search
        }
        catch (MessageNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw ErrorClassifier.Classify(e, $"primary {spec.Key}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(true, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or ImapProtocolException or ImapCommandException or OperationCanceledException)
        {
            // The look is over; a failed LOGOUT changes nothing on the server.
        }

        client.Dispose();
    }

    private string Id(UniqueId uid) => string.Create(CultureInfo.InvariantCulture, $"{folder!.UidValidity}:{uid.Id}");
}
