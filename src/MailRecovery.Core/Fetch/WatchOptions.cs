namespace MailRecovery.Core.Fetch;

/// <summary>How <see cref="WatchRun"/> waits between passes.</summary>
public sealed class WatchOptions
{
    /// <summary>The poll interval for sources that cannot push, and the longest one IMAP IDLE lasts.</summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Use IMAP IDLE (RFC 2177) when the server offers it.</summary>
    /// <value>The default value is true.</value>
    public bool UseIdle { get; set; } = true;

    /// <summary>The wait after a failed pass or a lost IDLE before trying again.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a heartbeat line (passes and failures per account since the last one) is logged; zero: never.</summary>
    /// <value>The default value is 60 minutes (configuration key <c>watch:heartbeatMinutes</c>).</value>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// The most passes at once against one server (host and port), and IDLE connections being opened; a pass uses
    /// the account's IDLE connection (IMAP, one mailbox) or opens its own. The rest wait their turn, first come,
    /// first served (<see cref="ServerSlots"/>).
    /// </summary>
    /// <value>The default value is <see cref="DefaultMaxConnectionsPerServer"/> (configuration key <c>watch:maxConnectionsPerServer</c>).</value>
    public int MaxConnectionsPerServer { get; set; } = DefaultMaxConnectionsPerServer;

    /// <summary>
    /// 16: well under a stock Dovecot's 100 imap processes, and enough that a burst of mail to 1,000 accounts is
    /// archived within the two seconds on the bed (docs/fleet.md).
    /// </summary>
    public const int DefaultMaxConnectionsPerServer = 16;

    /// <summary>
    /// Per host name (case-insensitive, any port), the most passes at once against it, in place of
    /// <see cref="MaxConnectionsPerServer"/> and of a known provider's cap (<see cref="Protocols.ProviderConnectionCaps"/>).
    /// </summary>
    /// <value>The default value is empty (configuration key <c>watch:connectionCaps</c>).</value>
    public IReadOnlyDictionary<string, int> ConnectionCaps { get; set; } = new Dictionary<string, int>();

    /// <summary>Prune messages received more than this many days ago once a day (<see cref="WatchPruneJob"/>); null: never.</summary>
    /// <value>The default value is null (configuration key <c>prune:olderThanDays</c>).</value>
    public int? PruneOlderThanDays { get; set; }

    /// <summary>The youngest a daily prune may cut (configuration key <c>prune:minimumDays</c>).</summary>
    /// <value>The default value is 30 days.</value>
    public int PruneMinimumDays { get; set; } = Archive.PruneCutoff.DefaultMinimumDays;

    /// <summary>Makes the observer of a primary account; tests substitute one.</summary>
    /// <value>The default value is <see cref="Primary.PrimaryLookRun.DefaultObserver"/> (IMAP or POP3).</value>
    public Func<Primary.PrimarySpec, Primary.IPrimaryObserver> PrimaryObservers { get; set; } = Primary.PrimaryLookRun.DefaultObserver;

    /// <summary>Hears each pass, IDLE change and probe (the metrics of <c>watch --metrics</c>), or null.</summary>
    /// <value>The default value is null.</value>
    public IWatchObserver? Observer { get; set; }
    /// <summary>Alerts watch evaluates on its own after its passes (configuration section <c>alerts</c>); null: none.</summary>
    public Alerts.WatchAlerting? Alerts { get; set; }
}
