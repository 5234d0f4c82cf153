namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// The window of an audit: it includes <see cref="Since"/> and excludes <see cref="Until"/>, by receipt time,
/// as a replay window does.
/// </summary>
public sealed record AliasAuditOptions(DateTimeOffset Since, DateTimeOffset Until)
{
    /// <summary>
    /// How far beyond the window the primary is listed, on both sides. The copy's receipt time comes from its
    /// Received: header and the primary's from INTERNALDATE or a file time; a message near an edge may fall on
    /// different sides of it, and must not be reported as missing for that.
    /// </summary>
    /// <value>The default value is 1 day.</value>
    public TimeSpan Margin { get; init; } = TimeSpan.FromDays(1);

    public bool Contains(DateTimeOffset time) => time >= Since && time < Until;
}
