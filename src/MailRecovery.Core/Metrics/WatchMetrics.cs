using System.Collections.Concurrent;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Replay;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace MailRecovery.Core.Metrics;

/// <summary>
/// The Prometheus metrics of <c>watch --metrics</c> (docs/monitoring.md has the table): fed by <see cref="WatchRun"/>
/// through <see cref="IWatchObserver"/>, exposed by prometheus-net from <see cref="Registry"/>. Names follow the
/// Prometheus conventions: prefix <c>mailrecovery_</c>, base units (seconds, bytes), <c>_total</c> on counters,
/// timestamps in Unix seconds. Every series of a configured account exists from the start (zero), so that
/// <c>increase()</c> sees the first failure and an alert on "never succeeded" can fire.
/// </summary>
public sealed class WatchMetrics : IWatchObserver
{
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly string? journalPath;
    private readonly ConcurrentDictionary<string, DateTimeOffset?> lastSuccess = new(StringComparer.Ordinal);
    private readonly Counter messages;
    private readonly Counter bytes;
    private readonly Counter messageFailures;
    private readonly Counter passes;
    private readonly Counter passFailures;
    private readonly Gauge lastSuccessTime;
    private readonly Gauge lastSuccessAge;
    private readonly Gauge idle;
    private readonly Counter probes;
    private readonly Gauge probeSuccess;
    private readonly Gauge probeLatency;
    private readonly Gauge probeTime;
    private readonly Gauge replay;

    /// <param name="journalPath">The archive's replay journal, read at each scrape; null: no replay metrics.</param>
    public WatchMetrics(TimeProvider clock, ILogger logger, string? journalPath)
    {
        this.clock = clock;
        this.logger = logger;
        this.journalPath = journalPath;
        MetricFactory f = Prometheus.Metrics.WithCustomRegistry(Registry);
        messages = f.CreateCounter("mailrecovery_messages_archived_total", "Messages newly archived (stored in the Maildir and indexed).", "account");
        bytes = f.CreateCounter("mailrecovery_archived_bytes_total", "Bytes of the messages newly archived.", "account");
        messageFailures = f.CreateCounter("mailrecovery_message_fetch_failures_total", "Messages a pass listed but could not archive (fetched again next pass).", "account");
        passes = f.CreateCounter("mailrecovery_passes_total", "Passes over the account, successful or not.", "account");
        passFailures = f.CreateCounter("mailrecovery_pass_failures_total", "Passes that failed as a whole, by failure kind.", "account", "kind");
        lastSuccessTime = f.CreateGauge("mailrecovery_last_successful_pass_timestamp_seconds", "Unix time of the last successful pass (also from before this process started); 0: never.", "account");
        lastSuccessAge = f.CreateGauge("mailrecovery_last_successful_pass_age_seconds", "Seconds since the last successful pass, at scrape time; +Inf: never.", "account");
        idle = f.CreateGauge("mailrecovery_idle_active", "1 while the account's IMAP IDLE connection is armed (mail is pushed), 0 while watch polls.", "account");
        probes = f.CreateCounter("mailrecovery_alias_probes_total", "Scheduled alias checks, by verdict (works, broken, could_not_tell).", "alias", "verdict");
        probeSuccess = f.CreateGauge("mailrecovery_alias_probe_success", "1 if the last alias check found the alias working, else 0.", "alias");
        probeLatency = f.CreateGauge("mailrecovery_alias_probe_latency_seconds", "Seconds from submitting the last probe to seeing it in the mailbox (absent when it was not seen).", "alias", "mailbox");
        probeTime = f.CreateGauge("mailrecovery_alias_probe_timestamp_seconds", "Unix time of the last alias check.", "alias");
        replay = f.CreateGauge("mailrecovery_replay_messages", "Entries of the replay journal (message x target) by state, over every replay run on this archive.", "state");
        DotNetStats.Register(Registry);
        Registry.AddBeforeCollectCallback(BeforeScrape);
    }

    /// <summary>The registry to serve (one per watch, never prometheus-net's static default).</summary>
    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    /// <summary>Creates the account's series at zero, with the last success the index recorded before this process (null: never).</summary>
    public void AddAccount(string account, DateTimeOffset? lastSuccessBefore)
    {
        lastSuccess[account] = lastSuccessBefore;
        lastSuccessTime.WithLabels(account).Set(lastSuccessBefore?.ToUnixTimeMilliseconds() / 1000.0 ?? 0);
        messages.WithLabels(account).Publish();
        bytes.WithLabels(account).Publish();
        messageFailures.WithLabels(account).Publish();
        passes.WithLabels(account).Publish();
        foreach (FailureKind kind in Enum.GetValues<FailureKind>())
            passFailures.WithLabels(account, KindLabel(kind)).Publish();
        idle.WithLabels(account).Set(0);
    }

    /// <summary>Creates the alias's series at zero (verdict counters), before its first check.</summary>
    public void AddAlias(string alias)
    {
        foreach (ProbeVerdict verdict in Enum.GetValues<ProbeVerdict>())
            probes.WithLabels(alias, VerdictLabel(verdict)).Publish();
    }

    public void PassFinished(AccountReport report, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(report);
        string account = report.Account;
        // A failed pass may have archived batches before it broke: they are in the archive, so they count.
        messages.WithLabels(account).Inc(report.Fetched);
        bytes.WithLabels(account).Inc(report.Bytes);
        messageFailures.WithLabels(account).Inc(report.Failed);
        passes.WithLabels(account).Inc();
        if (report.Error is { } error)
        {
            passFailures.WithLabels(account, KindLabel(error.Kind)).Inc();
            return;
        }

        lastSuccess[account] = at;
        lastSuccessTime.WithLabels(account).Set(at.ToUnixTimeMilliseconds() / 1000.0);
    }

    public void IdleChanged(string account, bool active) => idle.WithLabels(account).Set(active ? 1 : 0);

    public void ProbeFinished(ProbeReport report, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(report);
        probes.WithLabels(report.Alias, VerdictLabel(report.Verdict)).Inc();
        probeSuccess.WithLabels(report.Alias).Set(report.Verdict == ProbeVerdict.Works ? 1 : 0);
        probeTime.WithLabels(report.Alias).Set(at.ToUnixTimeMilliseconds() / 1000.0);
        foreach (MailboxObservation? seen in new[] { report.Copy, report.Primary })
        {
            if (seen is null)
                continue;
            if (seen.Found && seen.Latency is { } latency)
                probeLatency.WithLabels(report.Alias, seen.Role).Set(latency.TotalSeconds);
            else
                probeLatency.RemoveLabelled(report.Alias, seen.Role); // an old latency would read as a working alias
        }
    }

    /// <summary>The label of a failure kind: its name in snake case (<c>local_storage</c>).</summary>
    public static string KindLabel(FailureKind kind) => SnakeCase(kind.ToString());

    /// <summary>The label of a probe verdict: <c>works</c>, <c>broken</c>, <c>could_not_tell</c>.</summary>
    public static string VerdictLabel(ProbeVerdict verdict) => SnakeCase(verdict.ToString());

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>Updates what is computed at scrape time: the ages, and the replay journal's counts.</summary>
    private void BeforeScrape()
    {
        DateTimeOffset now = clock.GetUtcNow();
        foreach ((string account, DateTimeOffset? at) in lastSuccess)
            lastSuccessAge.WithLabels(account).Set(at is { } t ? Math.Max(0, (now - t).TotalSeconds) : double.PositiveInfinity);
        if (journalPath is null)
            return;
        try
        {
            foreach ((JournalState state, long count) in JournalTally.Read(journalPath))
                replay.WithLabels(SnakeCase(state.ToString())).Set(count);
        }
        catch (Exception e)
        {
            // The scrape goes on with the last counts: a damaged journal is replay's and status's to report.
            logger.LogWarning("metrics: the replay journal {Journal} could not be read: {Error}", journalPath, e.Message);
        }
    }
}
