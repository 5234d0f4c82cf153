using System.Globalization;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Sources;

/// <summary>One open IMAP mailbox.</summary>
internal sealed class ImapMailboxReader : IMailboxReader
{
    private readonly ImapFolder folder;
    private readonly ImapCapabilities capabilities;
    private readonly ImapSourceOptions options;
    private readonly ReleasedMemoryCollector releasedMemory = new();

    public ImapMailboxReader(ImapFolder folder, ImapCapabilities capabilities, ImapSourceOptions options)
    {
        this.folder = folder;
        this.capabilities = capabilities;
        this.options = options;
    }

    public string Mailbox => folder.FullName;

    public uint UidValidity => folder.UidValidity;

    public bool HasStableIds => true;

    public async Task<IReadOnlyList<ServerMessage>> ListAsync(CancellationToken cancellationToken)
    {
        if (folder.Count == 0)
            return [];
        IList<UniqueId> uids = await folder.SearchAsync(SearchQuery.All, cancellationToken);
        return uids.OrderBy(u => u.Id)
            .Select(u => new ServerMessage(u.Id.ToString(CultureInfo.InvariantCulture), (int)u.Id, -1))
            .ToList();
    }

    public async Task<IReadOnlyList<ServerMessage>> DescribeAsync(IReadOnlyList<ServerMessage> messages, bool withMessageId, CancellationToken cancellationToken)
    {
        var items = MessageSummaryItems.UniqueId | MessageSummaryItems.Size | MessageSummaryItems.InternalDate;
        if (withMessageId)
            items |= MessageSummaryItems.Envelope;

        var described = new List<ServerMessage>(messages.Count);
        foreach (ServerMessage[] batch in messages.Chunk(options.DescribeBatch))
        {
            var asked = batch.ToDictionary(m => (uint)m.Index);
            var uids = batch.Select(m => new UniqueId(folder.UidValidity, (uint)m.Index)).ToList();
            IList<IMessageSummary> summaries = await folder.FetchAsync(uids, new FetchRequest(items), cancellationToken);
            foreach (IMessageSummary summary in summaries)
            {
                // The listed message, described: its id string is kept, not made again (a 100,000-message mailbox
                // holds one per message for the whole pass). A summary of a UID not asked for describes nothing here.
                if (!asked.Remove(summary.UniqueId.Id, out ServerMessage? listed))
                    continue;
                described.Add(listed with
                {
                    Size = summary.Size is uint size ? size : -1,
                    InternalDate = summary.InternalDate,
                    MessageId = withMessageId ? NormalizeMessageId(summary.Envelope?.MessageId) : null,
                });
            }
        }

        // A message expunged meanwhile has no summary: it is simply not described.
        described.Sort((a, b) => a.Index.CompareTo(b.Index));
        return described;
    }

    public async Task DownloadAsync(IReadOnlyList<ServerMessage> messages, MessageSink sink, CancellationToken cancellationToken)
    {
        var small = messages.Where(m => m.Size >= 0 && m.Size <= options.LargeMessageThreshold).ToList();
        if (small.Count > 0)
        {
            Dictionary<uint, ServerMessage> byUid = small.ToDictionary(m => (uint)m.Index);
            var uids = small.Select(m => new UniqueId(folder.UidValidity, (uint)m.Index)).ToList();

            // One UID FETCH (BODY.PEEK[]) for the whole batch: MailKit pipelines the literals back to us.
            // A FETCH answer for a UID not asked for (RFC 9051 §6.4.9 allows unsolicited FETCH only for flags) is the
            // server's fault: told in words, for this account, rather than as a missing dictionary key.
            await folder.GetStreamsAsync(uids, (_, _, uid, stream, ct) => byUid.TryGetValue(uid.Id, out ServerMessage? asked)
                ? sink(asked, stream, ct)
                : throw new ServerProtocolViolationException($"it sent the body of UID {uid.Id}, which was not asked for (the FETCH asked for {uids.Count} other UIDs)"), cancellationToken);
        }

        foreach (ServerMessage large in messages.Where(m => m.Size < 0 || m.Size > options.LargeMessageThreshold))
        {
            await using (var stream = new ImapPartialStream(folder, new UniqueId(folder.UidValidity, (uint)large.Index), options.ChunkSize))
                await sink(large, stream, cancellationToken);
            releasedMemory.Released(large.Size);
        }
    }

    public async Task<IReadOnlySet<string>> StillThereAsync(IReadOnlyList<ServerMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
            return new HashSet<string>();

        // UID SEARCH UID set (RFC 9051 §6.4.4): a UID expunged by another session is not in the answer (the
        // server may send the EXPUNGE with a UID command, RFC 9051 §7.5.1).
        var uids = messages.Select(m => new UniqueId(folder.UidValidity, (uint)m.Index)).ToList();
        IList<UniqueId> found = await folder.SearchAsync(SearchQuery.Uids(uids), cancellationToken);
        return found.Select(u => u.Id.ToString(CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
    }

    public async Task RemoveAsync(IReadOnlyList<ServerMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
            return;
        var uids = messages.Select(m => new UniqueId(folder.UidValidity, (uint)m.Index)).ToList();
        await folder.StoreAsync(uids, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Deleted) { Silent = true }, cancellationToken);

        // UID EXPUNGE (RFC 4315) removes only these messages. Without UIDPLUS only a plain EXPUNGE is left, which
        // also removes whatever else is marked \Deleted: acceptable on a copy account nobody else works in.
        if (capabilities.HasFlag(ImapCapabilities.UidPlus))
            await folder.ExpungeAsync(uids, cancellationToken);
        else
            await folder.ExpungeAsync(cancellationToken);
    }

    private static string? NormalizeMessageId(string? id) => string.IsNullOrWhiteSpace(id) ? null : id.Trim().Trim('<', '>');
}
