using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// Lists an IMAP mailbox without disturbing it: EXAMINE (RFC 9051 §6.3.3, read-only, so no flag can change,
/// not even \Recent), UID SEARCH by date, then UID FETCH (ENVELOPE INTERNALDATE) in batches. ENVELOPE carries
/// the Message-ID, From and Subject. Where the audit needs a fingerprint, a second session reads those messages
/// whole with <c>BODY.PEEK[]</c> (RFC 9051 §6.4.5) in the EXAMINEd mailbox, so \Seen is never set.
/// </summary>
public sealed class ImapPrimarySource : IPrimaryMailSource
{
    private readonly SourceEndpoint endpoint;
    private readonly Protocols.Credential credentials;
    private readonly CertificateTrust trust;

    public ImapPrimarySource(SourceEndpoint endpoint, Protocols.Credential credentials, CertificateTrust trust)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.trust = trust;
    }

    /// <summary>UIDs per FETCH: one round trip per batch, never one command with every UID of a large mailbox.</summary>
    /// <value>The default value is 500.</value>
    public int FetchBatch { get; init; } = 500;

    private string Mailbox => endpoint.Mailboxes.Count > 0 ? endpoint.Mailboxes[0] : "INBOX";

    public string Description => $"{endpoint.AccountKey}/{Mailbox}";

    public bool ReadsWhole => true;

    /// <summary>Bytes per partial body fetch, so one chunk at most is in memory (MailKit holds each literal whole).</summary>
    private const int ChunkSize = 1024 * 1024;

    public async Task<IReadOnlyDictionary<string, string>> FingerprintAsync(IReadOnlyList<AuditMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
        if (messages.Count == 0)
            return fingerprints;
        using ImapClient client = MailServiceConnector.NewImapClient();
        try
        {
            await ImapSessions.OpenAsync(client, endpoint, credentials, trust, cancellationToken);
            IMailFolder folder = await ImapFolderLookup.GetAsync(client, Mailbox, $"primary {Description}", cancellationToken);
            await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
            foreach (string locator in messages.Select(m => m.Locator).OfType<string>())
            {
                // The locator is "UIDVALIDITY:UID": after a UIDVALIDITY change the UID may name another message.
                string[] parts = locator.Split(':');
                if (parts.Length != 2 || !uint.TryParse(parts[0], out uint validity) || validity != folder.UidValidity || !uint.TryParse(parts[1], out uint uid))
                    continue;
                try
                {
                    await using var body = new ImapPartialStream((ImapFolder)folder, new UniqueId(validity, uid), ChunkSize);
                    fingerprints[locator] = await MessageFingerprint.ComputeAsync(body, cancellationToken);
                }
                catch (MessageNotFoundException)
                {
                    // Expunged since the listing: matched by Message-ID only.
                }
            }

            await client.DisconnectAsync(true, cancellationToken);
            return fingerprints;
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"primary {Description}");
        }
    }

    public async Task<IReadOnlyList<AuditMessage>> ListAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        using ImapClient client = MailServiceConnector.NewImapClient();
        try
        {
            await ImapSessions.OpenAsync(client, endpoint, credentials, trust, cancellationToken);
            IMailFolder folder = await ImapFolderLookup.GetAsync(client, Mailbox, $"primary {Description}", cancellationToken);
            await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
            IReadOnlyList<AuditMessage> listed = folder.Count == 0 ? [] : await ListOpenAsync(folder, from, until, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
            return listed;
        }
        catch (FolderNotFoundException)
        {
            throw MailRecoveryException.Usage($"{endpoint.AccountKey} has no mailbox '{Mailbox}'.", "give the primary's mailbox after the host, e.g. imaps://helpdesk@mail.example.com/INBOX.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw ErrorClassifier.Classify(e, $"primary {Description}");
        }
    }

    private async Task<IReadOnlyList<AuditMessage>> ListOpenAsync(IMailFolder folder, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        // SINCE and BEFORE compare dates only, in the server's time zone, ignoring the time (RFC 9051 §6.4.4):
        // a day more on each side, then the exact INTERNALDATE decides.
        SearchQuery query = SearchQuery.DeliveredAfter(from.UtcDateTime.Date.AddDays(-1))
            .And(SearchQuery.DeliveredBefore(until.UtcDateTime.Date.AddDays(2)));
        IList<UniqueId> uids = await folder.SearchAsync(query, cancellationToken);

        var listed = new List<AuditMessage>();
        var request = new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Envelope | MessageSummaryItems.InternalDate);
        foreach (UniqueId[] batch in uids.OrderBy(u => u.Id).Chunk(FetchBatch))
        {
            foreach (IMessageSummary summary in await folder.FetchAsync(batch, request, cancellationToken))
            {
                // INTERNALDATE is always sent (RFC 9051 §2.3.3); the Date: header only stands in for a server that does not.
                if ((summary.InternalDate ?? summary.Envelope?.Date) is not DateTimeOffset received || received < from || received >= until)
                    continue;
                Envelope? envelope = summary.Envelope;
                string[] senders = envelope?.From.Mailboxes.Select(m => m.Address.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray() ?? [];
                listed.Add(new AuditMessage(
                    AuditMessage.NormalizeId(envelope?.MessageId),
                    received,
                    senders.Length == 0 ? null : string.Join(", ", senders),
                    string.IsNullOrWhiteSpace(envelope?.Subject) ? null : envelope.Subject.Trim()) { Locator = $"{folder.UidValidity}:{summary.UniqueId.Id}" });
            }
        }

        return listed;
    }
}
