namespace MailRecovery.Core.Archive;

/// <summary>Which time column a <see cref="CatalogueQuery"/> selects and orders by.</summary>
public enum CatalogueClock
{
    /// <summary><c>received_utc</c>: the server receipt time.</summary>
    Received,

    /// <summary><c>date_utc</c>, or the receipt time for a message without a Date: header.</summary>
    Date,

    /// <summary><c>archived_utc</c>.</summary>
    Archived,
}

/// <summary>
/// A selection of catalogue rows: the interval [<see cref="Since"/>, <see cref="Until"/>) on one clock (start
/// included, end excluded) and filters. Empty lists mean "any"; addresses compare case-insensitively.
/// </summary>
/// <param name="Recipients">Any of these among the recipients (To, Cc, Delivered-To, X-Original-To).</param>
/// <param name="Senders">Any of these in From.</param>
/// <param name="MessageIds">Only these Message-IDs (with or without angle brackets).</param>
/// <param name="IncludeProbes">Also alias-verification probes.</param>
public sealed record CatalogueQuery(
    DateTimeOffset Since,
    DateTimeOffset Until,
    CatalogueClock Clock,
    IReadOnlyList<string> Recipients,
    IReadOnlyList<string> Senders,
    IReadOnlyList<string> MessageIds,
    bool IncludeProbes);
