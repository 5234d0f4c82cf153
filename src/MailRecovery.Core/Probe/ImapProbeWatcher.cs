using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Sources;
using MimeKit;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Probe;

/// <summary>
/// Watches an IMAP account: the mailbox is EXAMINEd (read-only), searched by the probe header, and headers are
/// read with BODY.PEEK, so no flag of any message changes. Junk folders are searched too, so a probe filed as
/// spam is reported as such instead of as lost.
/// </summary>
public sealed class ImapProbeWatcher : IProbeWatcher
{
    private static readonly string[] JunkNames = ["Junk", "Spam", "Junk E-mail", "INBOX.Junk", "INBOX.Spam"];
    private readonly SourceEndpoint endpoint;
    private readonly Protocols.Credential credentials;
    private readonly CertificateTrust trust;
    private readonly ImapClient client = MailServiceConnector.NewImapClient();
    private readonly List<IMailFolder> folders = [];

    public ImapProbeWatcher(SourceEndpoint endpoint, Protocols.Credential credentials, CertificateTrust trust)
    {
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.trust = trust;
    }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await ImapSessions.OpenAsync(client, endpoint, credentials, trust, cancellationToken);
        string mailbox = endpoint.Mailboxes.Count > 0 ? endpoint.Mailboxes[0] : "INBOX";
        folders.Add(await ImapFolderLookup.GetAsync(client, mailbox, endpoint.AccountKey, cancellationToken));
        folders.AddRange(await JunkFoldersAsync(cancellationToken));
    }

    public async Task<ProbeSighting?> LookAsync(string token, CancellationToken cancellationToken)
    {
        foreach (IMailFolder folder in folders)
        {
            // EXAMINE again on each look: it is what makes newly delivered mail visible, and it is read-only.
            await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
            IList<UniqueId> hits = await folder.SearchAsync(SearchQuery.HeaderContains(MessageMetadataReader.ProbeHeader, token), cancellationToken);
            if (hits.Count == 0)
                continue;

            // SEARCH HEADER matches a substring (RFC 9051 §6.4.4): the header read with BODY.PEEK must be this token.
            foreach (IMessageSummary s in await folder.FetchAsync(hits, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.Headers), cancellationToken))
            {
                if (s.Headers is not null && IsProbe(s.Headers, token))
                    return new ProbeSighting(folder.FullName, s.UniqueId.ToString(), s.Headers, s.Flags is MessageFlags f && (f & (MessageFlags.Seen | MessageFlags.Deleted)) != 0);
            }
        }

        return null;
    }

    public async Task<int?> QuotaPercentAsync(CancellationToken cancellationToken)
    {
        if (!client.Capabilities.HasFlag(ImapCapabilities.Quota))
            return null;
        FolderQuota quota = await folders[0].GetQuotaAsync(cancellationToken);
        int? storage = quota.StorageLimit is uint limit && limit > 0 && quota.CurrentStorageSize is uint used ? (int)(100L * used / limit) : null;
        int? count = quota.MessageLimit is uint mlimit && mlimit > 0 && quota.CurrentMessageCount is uint mused ? (int)(100L * mused / mlimit) : null;
        return storage is null && count is null ? null : Math.Max(storage ?? 0, count ?? 0);
    }

    /// <summary>
    /// SELECTs the folder, reads the UID's header again (BODY.PEEK) and removes it only if it is this probe: \Deleted
    /// and <c>UID EXPUNGE</c> of that UID alone (RFC 4315 §2.1). Without UIDPLUS a plain EXPUNGE would take every
    /// message marked \Deleted with it, so the probe is marked \Deleted and \Seen and left for the helpdesk's own
    /// expunge. The folder is left with UNSELECT (RFC 3691), never CLOSE, which expunges.
    /// </summary>
    public async Task<ProbeRemoval> RemoveAsync(ProbeSighting sighting, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sighting);
        IMailFolder folder = folders.First(f => f.FullName == sighting.Folder);
        await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
        try
        {
            var uid = new List<UniqueId> { UniqueId.Parse(sighting.Id) };
            IList<IMessageSummary> now = await folder.FetchAsync(uid, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Headers), cancellationToken);
            if (now.Count == 0 || now[0].Headers is not HeaderList headers || !IsProbe(headers, token))
                return ProbeRemoval.Gone;
            if (client.Capabilities.HasFlag(ImapCapabilities.UidPlus))
            {
                await folder.StoreAsync(uid, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Deleted) { Silent = true }, cancellationToken);
                await folder.ExpungeAsync(uid, cancellationToken); // only the probe (RFC 4315)
                return ProbeRemoval.Removed;
            }

            await folder.StoreAsync(uid, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Deleted | MessageFlags.Seen) { Silent = true }, cancellationToken);
            return ProbeRemoval.MarkedDeleted;
        }
        finally
        {
            await folder.CloseAsync(false, cancellationToken); // UNSELECT when offered, else nothing: never CLOSE
        }
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
            // Already gone.
        }

        client.Dispose();
    }

    private static bool IsProbe(HeaderList headers, string token) =>
        string.Equals(headers[MessageMetadataReader.ProbeHeader]?.Trim(), token, StringComparison.Ordinal);

    private async Task<IEnumerable<IMailFolder>> JunkFoldersAsync(CancellationToken cancellationToken)
    {
        var junk = new List<IMailFolder>();
        if (client.Capabilities.HasFlag(ImapCapabilities.SpecialUse) && client.GetFolder(SpecialFolder.Junk) is IMailFolder special)
            junk.Add(special);
        foreach (string name in JunkNames)
        {
            try
            {
                IMailFolder f = await client.GetFolderAsync(name, cancellationToken);
                if (!junk.Any(j => j.FullName == f.FullName))
                    junk.Add(f);
            }
            catch (FolderNotFoundException)
            {
                // No such folder: fine.
            }
        }

        return junk;
    }
}
