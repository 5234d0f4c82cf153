using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Replay;

/// <summary>
/// Selects the messages of a window, oldest first (ties by file name, so the order is stable across runs), through
/// the typed catalogue queries of <see cref="CatalogueSelection"/>.
/// </summary>
public static class ReplaySelector
{
    public static IReadOnlyList<ArchivedMessage> Select(ArchiveIndex index, ReplayWindow window, ReplayFilter filter) =>
        CatalogueSelection.Select(index, Query(window, filter));

    /// <summary>
    /// What a dry run shows, without materialising the rows: count, bytes and each message's time in one narrow
    /// scan, then the first and the last message by themselves.
    /// </summary>
    public static ReplayPlan Summarize(ArchiveIndex index, ReplayWindow window, ReplayFilter filter, TimeZoneInfo zone)
    {
        CatalogueQuery query = Query(window, filter);
        var (times, bytes) = CatalogueSelection.Times(index, query);
        return ReplayPlan.Summary(window, zone, times.Count, bytes, CatalogueSelection.One(index, query, last: false), CatalogueSelection.One(index, query, last: true), times);
    }

    private static CatalogueQuery Query(ReplayWindow window, ReplayFilter filter)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(filter);
        CatalogueClock clock = window.Clock switch
        {
            ReplayClock.Date => CatalogueClock.Date,
            ReplayClock.Archived => CatalogueClock.Archived,
            _ => CatalogueClock.Received,
        };
        return new CatalogueQuery(window.Since, window.Until, clock, filter.Recipients, filter.Senders, filter.MessageIds, filter.IncludeProbes);
    }
}
