using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;

namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// <c>alias audit</c>: lists the primary, selects the archive's window, and compares by message identity (see
/// <see cref="AliasAuditComparer"/> for the rule). Reads only: neither the primary nor the archive changes.
/// <para>
/// Cost: the primary is listed by headers, as before. A message is read whole (to fingerprint it) only where its
/// Message-ID cannot tell: it has none, it repeats in the listing (a duplicate, or two messages sharing it), or
/// the archive holds several different messages under it. Everywhere else a unique Message-ID names one archived
/// message and is the identity's stand-in, so an audit of a mailbox of clean mail reads no body at all.
/// </para>
/// </summary>
public sealed class AliasAuditRun
{
    private readonly ArchiveIndex index;
    private readonly IPrimaryMailSource primary;
    private readonly AliasAuditOptions options;

    public AliasAuditRun(ArchiveIndex index, IPrimaryMailSource primary, AliasAuditOptions options)
    {
        this.index = index;
        this.primary = primary;
        this.options = options;
    }

    public async Task<AliasAuditReport> RunAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<AuditMessage> listing = await primary.ListAsync(options.Since - options.Margin, options.Until + options.Margin, cancellationToken);

        // The same selection replay uses, probes excluded: a probe removed from the copy by --cleanup is still
        // archived, and is not a message the helpdesk should have.
        var window = new ReplayWindow(options.Since, options.Until, ReplayClock.Received);
        List<AuditMessage> copy = ReplaySelector.Select(index, window, ReplayFilter.All).Select(AuditMessage.Of).ToList();

        var lookup = new ArchiveIdentityLookup(index);
        var ids = listing.Select(m => AuditMessage.NormalizeId(m.MessageId)).OfType<string>().ToList();
        Dictionary<string, HashSet<string>> byId = lookup.FingerprintsByMessageId(ids);
        var repeated = ids.GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var needWhole = listing.Where(m => AuditMessage.NormalizeId(m.MessageId) is not string id
            || repeated.Contains(id)
            || (byId.TryGetValue(id, out HashSet<string>? archived) && archived.Count > 1)).ToList();

        IReadOnlyDictionary<string, string> fingerprints = needWhole.Count == 0 || !primary.ReadsWhole
            ? new Dictionary<string, string>()
            : await primary.FingerprintAsync(needWhole, cancellationToken);
        listing = listing.Select(m => m.Locator is { } l && fingerprints.TryGetValue(l, out string? f) ? m with { Fingerprint = f } : m).ToList();

        HashSet<string> known = lookup.Known(fingerprints.Values);
        foreach (HashSet<string> f in byId.Values)
            known.UnionWith(f);
        return AliasAuditComparer.Compare(primary.Description, options, listing, copy, new ArchivedIdentities(byId, known), primary.ReadsWhole);
    }
}
