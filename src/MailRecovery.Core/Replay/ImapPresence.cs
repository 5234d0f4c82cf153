using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Sources;
using MimeKit;

namespace MailRecovery.Core.Replay;

/// <summary>
/// Answers "which messages of this IMAP mailbox are the same message as this archived one?" by
/// <see cref="MessageIdentity"/>, reading only: the caller opens the mailbox (EXAMINE where it only looks), the
/// listing fetches UID, FLAGS and the Message-ID header field (RFC 9051 §6.4.5 <c>BODY.PEEK[HEADER.FIELDS]</c>),
/// and bodies are read with <c>BODY.PEEK[]</c>, which never sets <c>\Seen</c>.
/// <para>
/// Cost: one listing per <see cref="LoadAsync"/>; a body is fetched only for a candidate (a message with the
/// same Message-ID, or, for an archived message without one, a message without one), once per UID, and streamed
/// through <see cref="MessageFingerprint"/> in 1 MiB partial fetches, so memory stays flat. Sizes are ignored:
/// an alias copy has its own delivery trace, and a server may change the bytes it stores.
/// </para>
/// Used by the IMAP target and by <c>replay --check-in</c>.
/// </summary>
public sealed class ImapPresence
{
    /// <summary>Bytes per partial body fetch: one round trip for most messages, one chunk in memory for any.</summary>
    private const int ChunkSize = 1024 * 1024;

    private readonly Dictionary<string, List<Entry>> byMessageId = new(StringComparer.Ordinal);
    private readonly List<Entry> withoutMessageId = [];
    private readonly Dictionary<uint, string> fingerprints = [];
    private readonly HashSet<string> delivered = new(StringComparer.Ordinal);

    /// <summary>Messages in the mailbox at the last <see cref="LoadAsync"/>.</summary>
    public int Listed { get; private set; }

    /// <summary>Bodies read so far (candidates only), for tests and logs.</summary>
    public int BodiesRead { get; private set; }

    /// <summary>
    /// Lists <paramref name="folder"/>, which the caller has opened (read-only or not): forgets the earlier
    /// listing and the fingerprints (UIDs may have been reused after a UIDVALIDITY change), not what
    /// <see cref="Remember"/> recorded.
    /// </summary>
    public async Task LoadAsync(IMailFolder folder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folder);
        byMessageId.Clear();
        withoutMessageId.Clear();
        fingerprints.Clear();
        Listed = folder.Count;
        if (folder.Count == 0)
            return;

        // The header field, not ENVELOPE: the archive's Message-ID is read from the same field by the same rule
        // (MessageMetadataReader), so both sides normalise a malformed id alike.
        var request = new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Flags, [HeaderId.MessageId]);
        foreach (IMessageSummary summary in await folder.FetchAsync(0, -1, request, cancellationToken))
        {
            var listed = new Entry(summary.UniqueId, summary.Flags ?? MessageFlags.None);
            string? id = summary.Headers is null ? null : MessageMetadataReader.MessageId(summary.Headers);
            if (id is null)
            {
                withoutMessageId.Add(listed);
            }
            else
            {
                if (!byMessageId.TryGetValue(id, out List<Entry>? list))
                    byMessageId[id] = list = [];
                list.Add(listed);
            }
        }
    }

    /// <summary>
    /// The mailbox's copies of <paramref name="item"/>, oldest UID first (empty when it has none), plus a copy
    /// without UID when this run delivered it (<see cref="Remember"/>) and it is not listed yet.
    /// </summary>
    /// <param name="folder">The same mailbox as at <see cref="LoadAsync"/>, open (bodies are fetched from it).</param>
    public async Task<IReadOnlyList<ImapCopy>> FindAsync(IMailFolder folder, ReplayItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(item);
        string fingerprint = await FingerprintAsync(item, cancellationToken);
        List<Entry> candidates = item.Message.Metadata.MessageId is { } id
            ? byMessageId.GetValueOrDefault(id) ?? []
            : withoutMessageId;
        var copies = new List<ImapCopy>();
        foreach (Entry candidate in candidates)
        {
            if (await FingerprintAsync(folder, candidate.Uid, cancellationToken) == fingerprint)
                copies.Add(new ImapCopy(candidate.Uid, candidate.Flags));
        }

        if (copies.Count == 0 && Delivered(fingerprint))
            copies.Add(new ImapCopy(UniqueId.Invalid, MessageFlags.None));
        return copies;
    }

    /// <summary>Records that this run delivered <paramref name="item"/>, so that a second archived copy of the same message is found present.</summary>
    public async Task RememberAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        string fingerprint = await FingerprintAsync(item, cancellationToken);
        lock (delivered)
            delivered.Add(fingerprint);
    }

    /// <summary>Deliveries in flight remember while the run's loop looks (<c>replay --connections</c>): both lock the set.</summary>
    private bool Delivered(string fingerprint)
    {
        lock (delivered)
            return delivered.Contains(fingerprint);
    }

    /// <summary>Records that the flags of <paramref name="uid"/> changed (its <c>\Seen</c> was cleared), without a new listing.</summary>
    public void SetFlags(UniqueId uid, MessageFlags flags)
    {
        foreach (List<Entry> list in byMessageId.Values.Append(withoutMessageId))
        {
            int i = list.FindIndex(l => l.Uid == uid);
            if (i >= 0)
                list[i] = list[i] with { Flags = flags };
        }
    }

    /// <summary>The archived message's fingerprint: from the index, or from the file for a row not yet filled in.</summary>
    private static async Task<string> FingerprintAsync(ReplayItem item, CancellationToken cancellationToken) =>
        item.Message.Fingerprint ?? await MessageFingerprint.ComputeAsync(item.Path, cancellationToken);

    private async Task<string> FingerprintAsync(IMailFolder folder, UniqueId uid, CancellationToken cancellationToken)
    {
        if (fingerprints.TryGetValue(uid.Id, out string? known))
            return known;

        // BODY.PEEK[]<offset.count> (RFC 9051 §6.4.5): .PEEK leaves \Seen alone.
        string fingerprint;
        try
        {
            await using var body = new ImapPartialStream((ImapFolder)folder, uid, ChunkSize);
            fingerprint = await MessageFingerprint.ComputeAsync(body, cancellationToken);
        }
        catch (MessageNotFoundException)
        {
            // Expunged since the listing: it is no copy of anything.
            fingerprint = string.Empty;
        }

        BodiesRead++;
        fingerprints[uid.Id] = fingerprint;
        return fingerprint;
    }

    private readonly record struct Entry(UniqueId Uid, MessageFlags Flags);
}
