using MailRecovery.Core.Fetch;
using MailRecovery.Core.Probe;

namespace MailRecovery.Core.Configuration;

/// <summary>The validated configuration file (see README, "Configuration").</summary>
/// <param name="PollInterval">How often <c>watch</c> polls a source that cannot push (POP3, IMAP without IDLE), and the longest an IDLE lasts.</param>
/// <param name="Probe">The scheduled alias check of <c>watch</c>, or null (the default: off).</param>
/// <param name="Replay">How <c>replay</c> reaches its target; never null (the top-level caFile applies without a section).</param>
/// <param name="MaxWaiting"><c>status:maxWaitingMinutes</c>: <c>status</c> flags mail waiting longer than this in an observed helpdesk account; null: the default (30 minutes).</param>
public sealed record MailRecoveryConfig(string Archive, IReadOnlyList<AccountSpec> Accounts, TimeSpan PollInterval, ProbeSchedule? Probe = null, ReplayTargetSettings? Replay = null, TimeSpan? MaxWaiting = null)
{
    /// <summary><c>status:maxPassAgeMinutes</c>: <c>status</c> flags watch as not running, or an account as failing, without a successful pass for longer; null: 5 × <see cref="PollInterval"/>.</summary>
    public TimeSpan? MaxPassAge { get; init; }

    /// <summary><c>watch:heartbeatMinutes</c>: how often <c>watch</c> logs a heartbeat line; null: the default (60 minutes).</summary>
    public TimeSpan? Heartbeat { get; init; }

    /// <summary><c>watch:maxConnectionsPerServer</c>: the most passes (connections) watch runs at once against one server; null: the default.</summary>
    public int? MaxConnectionsPerServer { get; init; }

    /// <summary><c>watch:connectionCaps</c>: per host name (case-insensitive), the most passes at once against it, overriding the known provider's and the general cap.</summary>
    public IReadOnlyDictionary<string, int> ConnectionCaps { get; init; } = new Dictionary<string, int>();

    /// <summary><c>metrics:listen</c>: where <c>watch</c> serves Prometheus metrics; null: the default (off).</summary>
    public Metrics.MetricsEndpoint? Metrics { get; init; }
    /// <summary><c>snapshots:store</c>: where <c>replay</c> looks up <c>snapshot:ID</c> times; null: not set (<c>--snapshot-store</c> then).</summary>
    public string? SnapshotStore { get; init; }
    /// <summary>The <c>alerts</c> section (docs/alerts.md): where watch and <c>status --alert</c> send alerts; null: none.</summary>
    public Alerts.AlertOptions? Alerts { get; init; }
    /// <summary><c>prune:minimumDays</c>: <c>archive prune</c> refuses <c>--older-than</c> below it.</summary>
    /// <value>The default value is 30 days (<see cref="MailRecovery.Core.Archive.PruneCutoff.DefaultMinimumDays"/>).</value>
    public int PruneMinimumDays { get; init; } = MailRecovery.Core.Archive.PruneCutoff.DefaultMinimumDays;

    /// <summary><c>prune:olderThanDays</c>: <c>watch</c> prunes messages older than this once a day; null (the default): never.</summary>
    public int? PruneOlderThanDays { get; init; }
}
