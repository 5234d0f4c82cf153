namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// The comparison rule of an audit, as a pure function:
/// <list type="bullet">
/// <item>primary-only: a primary message received in the window whose Message-ID is nowhere in the archive, at
/// any time (the copy may have stamped it just outside the window);</item>
/// <item>copy-only: an archived message received in the window (probes excluded by the caller) whose Message-ID
/// is not in the primary listing, which covers the window plus the margin on both sides.</item>
/// </list>
/// Both directions are lenient about time and strict about identity, so a clock difference between Received:
/// and INTERNALDATE or a file time never raises a false alarm. Messages without a Message-ID are only counted.
/// </summary>
public static class AliasAuditComparer
{
    /// <param name="primaryListing">The primary's messages in [since − margin, until + margin).</param>
    /// <param name="copyInWindow">The archive's messages in [since, until), probes excluded.</param>
    /// <param name="archivedIds">Message-IDs the archive holds at any time (at least those of the primary's window).</param>
    public static AliasAuditReport Compare(
        string primary,
        AliasAuditOptions options,
        IReadOnlyList<AuditMessage> primaryListing,
        IReadOnlyList<AuditMessage> copyInWindow,
        IReadOnlySet<string> archivedIds)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(primaryListing);
        ArgumentNullException.ThrowIfNull(copyInWindow);
        ArgumentNullException.ThrowIfNull(archivedIds);

        var primaryIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (AuditMessage m in primaryListing)
        {
            if (AuditMessage.NormalizeId(m.MessageId) is string id)
                primaryIds.Add(id);
        }

        int primaryInWindow = 0, matched = 0, primaryWithoutId = 0;
        var primaryOnly = new List<AuditMessage>();
        foreach (AuditMessage m in primaryListing)
        {
            if (!options.Contains(m.ReceivedAt))
                continue;
            primaryInWindow++;
            if (AuditMessage.NormalizeId(m.MessageId) is not string id)
                primaryWithoutId++;
            else if (archivedIds.Contains(id))
                matched++;
            else
                primaryOnly.Add(m with { MessageId = id });
        }

        int copyWithoutId = 0;
        var copyOnly = new List<AuditMessage>();
        foreach (AuditMessage m in copyInWindow)
        {
            if (AuditMessage.NormalizeId(m.MessageId) is not string id)
                copyWithoutId++;
            else if (!primaryIds.Contains(id))
                copyOnly.Add(m with { MessageId = id });
        }

        return new AliasAuditReport(primary, options.Since, options.Until, options.Margin, primaryInWindow, copyInWindow.Count, matched,
            Ordered(primaryOnly), Ordered(copyOnly), primaryWithoutId, copyWithoutId);
    }

    /// <summary>Oldest first, ties by Message-ID, so two runs print the same list.</summary>
    private static List<AuditMessage> Ordered(List<AuditMessage> messages) =>
        messages.OrderBy(m => m.ReceivedAt).ThenBy(m => m.MessageId, StringComparer.Ordinal).ToList();
}
