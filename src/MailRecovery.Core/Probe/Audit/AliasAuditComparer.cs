namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// The comparison rule of an audit, as a pure function. Messages are compared by
/// <see cref="Archive.MessageIdentity"/>: a primary message is the archived message with the same fingerprint; where
/// its fingerprint was not read (its Message-ID is unique in the listing and names one message in the archive),
/// the Message-ID stands for it.
/// <list type="bullet">
/// <item>primary-only: a primary message received in the window that the archive does not hold, at any time (the
/// copy may have stamped it just outside the window);</item>
/// <item>copy-only: an archived message received in the window (probes excluded by the caller) that the primary
/// listing lacks, which covers the window plus the margin on both sides;</item>
/// <item>duplicate: a message the primary holds more than once in the window (equal fingerprints, or a repeated
/// Message-ID where the primary cannot be read whole).</item>
/// </list>
/// Lenient about time and strict about identity, so a clock difference between Received: and INTERNALDATE or a
/// file time never raises a false alarm. A primary message without Message-ID whose content could not be read is
/// only counted; so is an archived one then.
/// </summary>
public static class AliasAuditComparer
{
    /// <param name="primaryListing">The primary's messages in [since − margin, until + margin), with the fingerprints that were read.</param>
    /// <param name="copyInWindow">The archive's messages in [since, until), probes excluded, with their fingerprints.</param>
    /// <param name="archive">What the archive holds at any time, for the primary's Message-IDs and fingerprints.</param>
    /// <param name="primaryReadsWhole">True when the primary's messages without Message-ID were fingerprinted.</param>
    public static AliasAuditReport Compare(
        string primary,
        AliasAuditOptions options,
        IReadOnlyList<AuditMessage> primaryListing,
        IReadOnlyList<AuditMessage> copyInWindow,
        ArchivedIdentities archive,
        bool primaryReadsWhole)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(primaryListing);
        ArgumentNullException.ThrowIfNull(copyInWindow);
        ArgumentNullException.ThrowIfNull(archive);

        // Everything the primary listing holds, as identity keys (fingerprints, or "mid:" + Message-ID).
        var primaryKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (AuditMessage m in primaryListing)
            primaryKeys.UnionWith(archive.KeysOf(m));

        int primaryInWindow = 0, matched = 0, primaryWithoutId = 0, unidentified = 0;
        var primaryOnly = new List<AuditMessage>();
        var inWindow = new List<(AuditMessage Message, string Key, bool Compared)>();
        foreach (AuditMessage m in primaryListing)
        {
            if (!options.Contains(m.ReceivedAt))
                continue;
            primaryInWindow++;
            string? id = AuditMessage.NormalizeId(m.MessageId);
            if (id is null)
                primaryWithoutId++;
            IReadOnlyCollection<string> keys = archive.KeysOf(m);
            if (keys.Count == 0)
            {
                unidentified++;
                continue;
            }

            inWindow.Add((m with { MessageId = id }, m.Fingerprint ?? $"mid:{id}", m.Fingerprint is not null));
            if (keys.Any(archive.Holds))
                matched++;
            else
                primaryOnly.Add(m with { MessageId = id });
        }

        int copyWithoutId = 0;
        var copyOnly = new List<AuditMessage>();
        foreach (AuditMessage m in copyInWindow)
        {
            string? id = AuditMessage.NormalizeId(m.MessageId);
            if (id is null)
            {
                copyWithoutId++;
                if (!primaryReadsWhole)
                    continue; // the primary's messages without Message-ID could not be compared
            }

            bool found = (m.Fingerprint is not null && primaryKeys.Contains(m.Fingerprint))
                || (id is not null && primaryKeys.Contains($"mid:{id}"));
            if (!found)
                copyOnly.Add(m with { MessageId = id });
        }

        List<AuditDuplicate> duplicates = inWindow
            .GroupBy(e => e.Key, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => g.OrderBy(e => e.Message.ReceivedAt).ToList())
            .Select(g => new AuditDuplicate(g[0].Message, g.Count, g[0].Compared))
            .OrderBy(d => d.Message.ReceivedAt).ThenBy(d => d.Message.MessageId, StringComparer.Ordinal)
            .ToList();

        return new AliasAuditReport(primary, options.Since, options.Until, options.Margin, primaryInWindow, copyInWindow.Count, matched,
            Ordered(primaryOnly), Ordered(copyOnly), primaryWithoutId, copyWithoutId, duplicates, unidentified);
    }

    /// <summary>Oldest first, ties by Message-ID, so two runs print the same list.</summary>
    private static List<AuditMessage> Ordered(List<AuditMessage> messages) =>
        messages.OrderBy(m => m.ReceivedAt).ThenBy(m => m.MessageId, StringComparer.Ordinal).ToList();
}
