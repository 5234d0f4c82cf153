namespace MailRecovery.Core.Status;

/// <summary>What <c>status</c> looks at.</summary>
public sealed class StatusOptions
{
    /// <summary>Days of history in the chart (today included).</summary>
    /// <value>The default value is 30 days.</value>
    public int Days { get; set; } = 30;

    /// <summary>Warn when nothing has been archived for longer than this.</summary>
    /// <value>The default value is 24 hours.</value>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Flag a helpdesk that stopped pulling: a message waiting in an observed helpdesk account (the primary ledger)
    /// for longer than this, from its first sighting to the last look.
    /// </summary>
    /// <value>The default value is 30 minutes (configuration key <c>status:maxWaitingMinutes</c>).</value>
    public TimeSpan MaxWaiting { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Flag watch as not running (or an account as failing) when no pass succeeded for longer than this: five
    /// poll intervals, so a pass or two lost to a slow server or an IDLE that ran its full length never alarms.
    /// </summary>
    /// <value>The default value is 5 minutes (5 × the default poll interval; configuration key <c>status:maxPassAgeMinutes</c>).</value>
    public TimeSpan MaxPassAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The schedule of watch's alias check; a check older than two intervals is flagged as overdue. Null: none scheduled.</summary>
    public TimeSpan? ProbeInterval { get; set; }

    /// <summary>The zone whose calendar days the chart counts.</summary>
    public TimeZoneInfo TimeZone { get; set; } = TimeZoneInfo.Local;
}
