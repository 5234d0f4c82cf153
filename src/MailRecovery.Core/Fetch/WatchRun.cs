using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Sources;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Core.Fetch;

/// <summary>
/// Fetches continuously until cancelled: a pass per account, then IMAP IDLE (armed before the pass, see <see cref="NewMailWatcher"/>) until the server announces mail
/// (or the poll interval passes), or a plain wait for POP3. Every account runs on its own; a failing one
/// (server restarted, password changed) is logged each time and retried, and never stops the others.
/// </summary>
public sealed class WatchRun : IDisposable
{
    private readonly FetchRun fetch;
    private readonly Func<AccountSpec, IMessageSource> sourceFactory;
    private readonly WatchOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly MessageArchive archive;
    private readonly SemaphoreSlim archiveGate = new(1, 1);
    private readonly WatchHeartbeat heartbeat = new();
    private ServerSlots slots = new(1);
    private ServerSlots mailboxSlots = new(1);

    public WatchRun(MessageArchive archive, Func<AccountSpec, IMessageSource> sourceFactory, FetchOptions fetchOptions, WatchOptions options, ILogger logger, IFetchObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        this.archive = archive;
        fetch = new FetchRun(archive, sourceFactory, fetchOptions, logger, observer, archiveGate);
        this.sourceFactory = sourceFactory;
        this.options = options;
        clock = archive.Clock;
        this.logger = logger;
    }

    public void Dispose() => archiveGate.Dispose();

    /// <summary>The most passes that ran at once against one server so far (tests check the cap with it).</summary>
    internal int MostConcurrentPassesPerServer => slots.MostBusy;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (Ctrl+C, SIGTERM).</summary>
    /// <param name="probe">An alias check to send on a schedule, or null.</param>
    public async Task RunAsync(IReadOnlyList<AccountSpec> accounts, CancellationToken cancellationToken, ProbeSchedule? probe = null)
    {
        WatchConnectionPlan plan = WatchConnectionPlan.For(accounts, options);
        slots = new ServerSlots(plan.ServerCap);
        mailboxSlots = new ServerSlots(plan.MailboxCap);
        foreach (string line in plan.Lines)
            logger.LogInformation("connection caps: {Caps}", line);
        foreach (string warning in plan.Warnings)
            logger.LogWarning("connection caps: {Warning}", warning);
        try
        {
            var loops = accounts.Select(a => WatchAccountAsync(a, cancellationToken)).ToList();
            if (probe is not null)
                loops.Add(ProbeLoopAsync(probe, cancellationToken));
            if (options.Heartbeat > TimeSpan.Zero)
                loops.Add(HeartbeatLoopAsync(cancellationToken));
            if (options.Alerts is not null)
                loops.Add(AlertLoopAsync(options.Alerts, accounts.Count, cancellationToken));
            if (options.PruneOlderThanDays is int days)
                loops.Add(new WatchPruneJob(archive, archiveGate, days, options.PruneMinimumDays, logger).RunAsync(cancellationToken));
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("watch stopped.");
        }
    }

    private async Task WatchAccountAsync(AccountSpec account, CancellationToken cancellationToken)
    {
        await using var watcher = new NewMailWatcher(account, sourceFactory, options, clock, logger);
        while (!cancellationToken.IsCancellationRequested)
        {
            AccountReport report;
            // The mailbox's slot first, then the server's: one order everywhere, so no two passes each hold what the
            // other waits for; and a pass waiting for its mailbox does not sit on a server slot meanwhile.
            using (await mailboxSlots.TakeAsync(WatchConnectionPlan.MailboxKey(account), cancellationToken))
            using (await slots.TakeAsync(WatchConnectionPlan.ServerKey(account), cancellationToken))
            {
                await watcher.ArmAsync(cancellationToken); // before the pass: mail arriving during it is not missed
                report = await fetch.FetchAccountAsync(account, cancellationToken, watcher.ForPass);
            }

            DateTimeOffset passEnd = clock.GetUtcNow();
            heartbeat.Record(account.Name, passEnd, report.Error);
            options.Observer?.PassFinished(report, passEnd);
            if (report.Error is not null)
            {
                if (report.Error.Scope == FailureScope.Archive)
                    throw report.Error; // a full disk stops watch: say so and let the supervisor restart it later
                await Task.Delay(report.Error.IsTransient ? options.RetryDelay : options.PollInterval, clock, cancellationToken);
                continue;
            }

            if (report.Fetched > 0 || report.Removed > 0)
                logger.LogInformation("{Account}: archived {Fetched} new message(s), {Bytes} bytes; removed {Removed} from the server.", account.Name, report.Fetched, report.Bytes, report.Removed);
            if (account.Primary is not null)
                await LookAtPrimaryAsync(account, account.Primary, cancellationToken);
            await watcher.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Logs a heartbeat line every interval: proof in the journal that watch ran, and how each account fared.</summary>
    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(options.Heartbeat, clock, cancellationToken);
            logger.LogInformation("{Heartbeat}", heartbeat.TakeLine());
        }
    }

    /// <summary>
    /// Evaluates alerts every interval on what status would say now, once every account finished its first pass:
    /// before that the index still says what it said while watch was stopped, and a restart would alert
    /// "nothing archived" or "account failing" only to clear it a moment later. A notifier that fails is logged by
    /// the run and tried again next time; nothing here stops watch.
    /// </summary>
    private async Task AlertLoopAsync(Alerts.WatchAlerting alerting, int accounts, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(alerting.Every, clock, cancellationToken);
            if (heartbeat.AccountsPassed < accounts)
                continue;
            try
            {
                IReadOnlyList<Status.StatusCondition> conditions;
                await archiveGate.WaitAsync(cancellationToken);
                try
                {
                    conditions = Status.StatusBuilder.Build(archive.Index, alerting.Status, clock).Conditions ?? [];
                }
                finally
                {
                    archiveGate.Release();
                }

                await alerting.Run.EvaluateAsync(conditions, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogError("alerts: {Error} Tried again in {Seconds} s.", ErrorClassifier.Classify(e, "alert evaluation").Message, alerting.Every.TotalSeconds);
            }
        }
    }

    /// <summary>
    /// Sends a probe now and then every interval; each result is recorded for <c>status</c>, and a broken alias
    /// is logged as an error every time, so it cannot go unnoticed in the daemon's log.
    /// </summary>
    private async Task ProbeLoopAsync(ProbeSchedule schedule, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ProbeReport report;
            try
            {
                report = await new AliasVerifyRun(schedule.Effective, clock).RunAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Whatever went wrong, the schedule goes on: a probe loop that died would silently stop checking.
                MailRecoveryException error = ErrorClassifier.Classify(e, $"alias check of {schedule.Options.Alias}");
                report = new ProbeReport(string.Empty, schedule.Options.Alias, null, null, null, ProbeVerdict.CouldNotTell, [new ProbeFinding(error.Message, error.Fix ?? string.Empty)], []);
            }

            DateTimeOffset probed = clock.GetUtcNow();
            await archiveGate.WaitAsync(cancellationToken);
            try
            {
                ProbeRecorder.Record(archive.Index, report, probed);
            }
            finally
            {
                archiveGate.Release();
            }

            options.Observer?.ProbeFinished(report, probed);

            if (report.Verdict == ProbeVerdict.Works)
                logger.LogInformation("alias {Alias} works: {Summary}", report.Alias, ProbeRecorder.Summary(report));
            else
                logger.LogError("alias {Alias} is {Verdict}: {Summary}", report.Alias, report.Verdict == ProbeVerdict.Broken ? "BROKEN" : "not verifiable", ProbeRecorder.Summary(report));
            await Task.Delay(schedule.Interval, clock, cancellationToken);
        }
    }

    /// <summary>
    /// Looks at the helpdesk's own account after the pass (so the archive already holds what arrived with it). A
    /// failed look is logged and leaves no record: the ledger then brackets the helpdesk's takes with the looks
    /// on either side, wider but still true.
    /// </summary>
    private async Task LookAtPrimaryAsync(AccountSpec account, Primary.PrimarySpec primary, CancellationToken cancellationToken)
    {
        try
        {
            Primary.PrimaryLookReport look = await new Primary.PrimaryLookRun(archive.Index, options.PrimaryObservers, clock, archiveGate).LookAsync(account.Endpoint.AccountKey, primary, cancellationToken);
            if (look.New > 0)
                logger.LogInformation("{Primary}: {Waiting} message(s) waiting for the helpdesk, {New} new ({Whole} read whole to identify them).", primary.Key, look.Waiting, look.New, look.ReadWhole);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            MailRecoveryException error = ErrorClassifier.Classify(e, $"primary {primary.Key}");
            logger.LogWarning("{Error} The helpdesk's account is looked at again after the next pass.", error.Message);
        }
    }
}
