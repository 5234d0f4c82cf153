using System.Runtime.ExceptionServices;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace MailRecovery.Core.Replay;

/// <summary>
/// Delivers a plan to a target exactly once, even when run twice or killed half-way. For each message, oldest
/// first: skip it if the journal says it was delivered; ask the target whether it is already there; record the
/// intent durably; deliver; record the outcome durably. A run that finds an intent without an outcome asks the
/// target (IMAP searches, files are looked for, an mbox is rolled back); where the target cannot tell, the
/// message is reported as uncertain and not re-sent unless <see cref="ReplayOptions.ResendUncertain"/>.
/// Retries happen only for "try later" answers, never around a delivery whose outcome is unknown.
/// </summary>
public sealed class ReplayRun
{
    private readonly MessageArchive archive;
    private readonly ReplayJournal journal;
    private readonly IReplayTarget target;
    private readonly ReplayOptions options;
    private readonly ILogger logger;
    private readonly IReplayObserver? observer;

    public ReplayRun(MessageArchive archive, ReplayJournal journal, IReplayTarget target, ReplayOptions options, ILogger logger, IReplayObserver? observer = null)
    {
        this.archive = archive;
        this.journal = journal;
        this.target = target;
        this.options = options;
        this.logger = logger;
        this.observer = observer;
    }

    /// <summary>
    /// Delivers the plan. A problem with one message becomes that message's outcome and the run goes on; an error
    /// that concerns the whole run (the target refuses the login, the envelope sender is missing) stops it and is
    /// returned in <see cref="ReplayReport.StoppedBy"/>, with the counts of what happened before it.
    /// </summary>
    /// <remarks>Cancelled (Ctrl+C, SIGTERM), it returns the report so far, stopped by a transient error (exit 75).</remarks>
    public async Task<ReplayReport> RunAsync(ReplayPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        TimeProvider clock = archive.Clock;
        long start = clock.GetTimestamp();
        var report = new ReplayReport { Selected = plan.Messages.Count };
        try
        {
            await DeliverPlanAsync(plan, report, cancellationToken);
        }
        catch (MailRecoveryException e)
        {
            report.StoppedBy = e;
            logger.LogError("replay stopped: {Error}", e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: the report of what was done is still the answer (--json prints it); every
            // journal write before this point is durable, so the next run resumes exactly here.
            report.StoppedBy = new MailRecoveryException(FailureKind.Transient, FailureScope.Run,
                "the replay was interrupted before the end of the plan.",
                "run the same replay again: it resumes where this one stopped, and what was delivered is not sent twice.");
        }

        report.Elapsed = clock.GetElapsedTime(start);
        return report;
    }

    private async Task DeliverPlanAsync(ReplayPlan plan, ReplayReport report, CancellationToken cancellationToken)
    {
        TimeProvider clock = archive.Clock;
        Dictionary<string, JournalEntry> entries = journal.Load(target.JournalKey);
        var pendingUntilComplete = new List<ReplayItem>();
        var sharedIds = plan.Messages.Where(m => m.Metadata.MessageId is not null)
            .GroupBy(m => m.Metadata.MessageId!, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal);

        await target.OpenAsync(cancellationToken);
        int sent = 0;
        long firstDelivery = 0;

        // Batches only where they change nothing but speed: not when pacing, not for targets final at Complete.
        int maxBatch = target is IBatchReplayTarget batching && options.MessagesPerSecond <= 0 && !target.DeliversAtComplete ? batching.MaxBatch : 1;
        // Several connections (SMTP): deliveries overlap, each outcome is settled here, in this loop (DeliveryLanes).
        DeliveryLanes? lanes = maxBatch == 1 && !target.DeliversAtComplete && target.MaxParallelDeliveries > 1
            ? new DeliveryLanes(target.MaxParallelDeliveries, (item, error) => Settle(report, item, error, pendingUntilComplete))
            : null;
        ResiliencePipeline retry = RetryPipeline(clock, lanes is null ? null : lanes.Concurrency.Deferred);
        // An earlier run that lost a delivery's outcome (a broken connection, a kill) may have met a bad link: start
        // with small groups, or a link that breaks every group of the full size would break the first one of every run.
        bool broken = entries.Values.Any(e => e.State is JournalState.Uncertain or JournalState.Intent);
        var groups = new AdaptiveBatchLimit(maxBatch, MaxBatchBytes, startSmall: broken);
        var batch = new List<ReplayItem>();
        long batchBytes = 0;
        try
        {
            foreach (ArchivedMessage message in plan.Messages)
            {
                cancellationToken.ThrowIfCancellationRequested();
                lanes?.SettleFinished();
                entries.TryGetValue(message.File, out JournalEntry? entry);
                if (entry?.State is JournalState.Delivered or JournalState.Present)
                {
                    report.SkippedByJournal++;
                    continue;
                }

                string? path = archive.Layout.Resolve(message.File);
                if (path is null)
                {
                    Fail(report, message.File, "the file is missing from the archive; run 'mailrecovery archive verify'");
                    continue;
                }

                if (new FileInfo(path).Length == 0)
                {
                    // A download that lost its data (issue 9): there is nothing to send, and a target would store an
                    // empty message or refuse it together with a whole batch.
                    Fail(report, Describe(message), "the archived file is empty (0 bytes), so there is nothing to deliver; run 'mailrecovery archive verify'");
                    continue;
                }

                var item = new ReplayItem(message, path, message.Metadata.MessageId is { } id && sharedIds.Contains(id));
                if (options.DeliverAs is { } deliverAs)
                {
                    try
                    {
                        item = item with { Rewrite = await DeliveredToRewrite.PlanAsync(path, deliverAs, cancellationToken) };
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        Fail(report, Describe(message), $"cannot read the archived file to rewrite its Delivered-To: {e.Message}");
                        observer?.MessageDone(item, "failed");
                        continue;
                    }
                }

                // A target that looks (--check-in) must see an earlier copy of the same message before it is asked about
                // this one, as one connection would: messages that may be the same as another wait for all in flight.
                if (lanes is not null && (item.MessageIdShared || message.Metadata.MessageId is null))
                    (await lanes.SettleAllAsync())?.Throw();

                bool unfinished = entry?.State is JournalState.Intent or JournalState.Uncertain;
                Presence presence;
                try
                {
                    presence = await target.CheckAsync(item, unfinished ? entry!.Checkpoint ?? string.Empty : null, cancellationToken);
                }
                catch (Exception e) when (IsMessageProblem(e))
                {
                    // Nothing was sent; the journal keeps what it knew (an earlier intent stays one).
                    Fail(report, Describe(message), $"could not check whether the target has it: {Reason(e)}");
                    observer?.MessageDone(item, "failed");
                    continue;
                }

                if (presence == Presence.Present)
                {
                    journal.Record(target.JournalKey, message.File, JournalState.Present);
                    report.AlreadyPresent++;
                    observer?.MessageDone(item, "present");
                    continue;
                }

                if (presence == Presence.Taken && await target.OfferAgainAsync(item, cancellationToken))
                {
                    journal.Record(target.JournalKey, message.File, JournalState.Delivered, "a taken copy in the target was made unread");
                    report.MarkedUnread++;
                    observer?.MessageDone(item, "unread");
                    continue;
                }

                if (unfinished && presence == Presence.Unknown && !options.ResendUncertain)
                {
                    journal.Record(target.JournalKey, message.File, JournalState.Uncertain, entry!.Detail ?? "the run delivering it was interrupted");
                    report.Uncertain.Add($"{Describe(message)}: an earlier delivery may have gone through (use --resend-uncertain to send it again)");
                    observer?.MessageDone(item, "uncertain");
                    continue;
                }

                if (maxBatch > 1)
                {
                    batch.Add(item);
                    batchBytes += message.Size;
                    if (batch.Count >= groups.Messages || batchBytes >= groups.Bytes)
                        sent = await FlushBatchAsync(report, batch, groups, retry, sent, cancellationToken);
                    if (batch.Count == 0)
                        batchBytes = 0;
                    continue;
                }

                if (lanes is not null)
                {
                    // The pace counts starts, so --rate holds across all connections together.
                    await lanes.WaitForSlotAsync();
                    if (sent == 0)
                        firstDelivery = clock.GetTimestamp();
                    await lanes.WhileAsync(PaceAsync(clock, firstDelivery, sent, cancellationToken));
                    sent = Intend(item, sent);
                    lanes.Start(item, DeliverAsync(item, retry, cancellationToken));
                    continue;
                }

                if (sent == 0)
                    firstDelivery = clock.GetTimestamp();
                await PaceAsync(clock, firstDelivery, sent, cancellationToken);
                sent = await DeliverOneAsync(report, item, retry, pendingUntilComplete, sent, cancellationToken);
            }
        }
        catch (Exception) when (lanes is not null)
        {
            // Stopping (Ctrl+C, a refused login, the test seam): what is in flight finishes and is journaled first.
            await lanes.SettleAllAsync();
            throw;
        }

        if (lanes is not null)
            (await lanes.SettleAllAsync())?.Throw();
        if (batch.Count > 0)
            sent = await FlushBatchAsync(report, batch, groups, retry, sent, cancellationToken);

        await target.CompleteAsync(cancellationToken);
        foreach (ReplayItem item in pendingUntilComplete)
        {
            journal.Record(target.JournalKey, item.Message.File, JournalState.Delivered);
            report.Delivered++;
            report.DeliveredBytes += item.ContentLength;
        }
    }

    /// <summary>The most bytes in one batch: a MULTIAPPEND is one command, and a failure repeats all of it.</summary>
    private const long MaxBatchBytes = 16L * 1024 * 1024;

    private async Task<int> DeliverOneAsync(ReplayReport report, ReplayItem item, ResiliencePipeline retry, List<ReplayItem> pendingUntilComplete, int sent, CancellationToken cancellationToken)
    {
        sent = Intend(item, sent);
        Settle(report, item, await DeliverAsync(item, retry, cancellationToken), pendingUntilComplete);
        return sent;
    }

    /// <summary>Journals the intent, durable before the delivery starts (step 3), and counts it for the pace and the test seam.</summary>
    private int Intend(ReplayItem item, int sent)
    {
        journal.RecordIntent(target.JournalKey, item.Message.File, target.Checkpoint(item) ?? string.Empty);
        sent++;
        options.AfterIntent?.Invoke(sent);
        return sent;
    }

    /// <summary>Delivers (step 4), retrying only "try later"; returns what it threw, for <see cref="Settle"/>, or null.</summary>
    private async Task<ExceptionDispatchInfo?> DeliverAsync(ReplayItem item, ResiliencePipeline retry, CancellationToken cancellationToken)
    {
        try
        {
            await retry.ExecuteAsync(async ct => await target.DeliverAsync(item, ct), cancellationToken);
            return null;
        }
        catch (Exception e)
        {
            return ExceptionDispatchInfo.Capture(e);
        }
    }

    /// <summary>Journals a delivery's outcome (step 5) and counts it; rethrows what stops the run.</summary>
    /// <param name="error">What the delivery threw, or null when it was delivered.</param>
    private void Settle(ReplayReport report, ReplayItem item, ExceptionDispatchInfo? error, List<ReplayItem> pendingUntilComplete)
    {
        ArchivedMessage message = item.Message;
        switch (error?.SourceException)
        {
            case null:
                break;
            case DeliveryException e:
                Record(report, item, e);
                return;
            case MailRecoveryException e when e.Kind is FailureKind.Usage or FailureKind.Authentication or FailureKind.Certificate or FailureKind.Permanent:
                // Refused before anything was sent (a missing --mail-from, a refused login): the message is
                // certainly not delivered, so it must not look "unfinished" to the next run. Transient and local
                // storage errors keep the intent: a file target may be half-written and rolls it back by looking.
                journal.Record(target.JournalKey, message.File, JournalState.Failed, e.Message);
                if (e.Scope != FailureScope.Message)
                    error.Throw();
                Fail(report, Describe(message), e.Message);
                observer?.MessageDone(item, "failed");
                return;
            case Exception e when IsMessageProblem(e):
                // Anything else a target throws (a message it cannot read or prepare) concerns this message alone:
                // targets report "maybe sent" as DeliveryException(Uncertain), so this one was not handed over.
                Record(report, item, new DeliveryException(DeliveryOutcome.Failed, Reason(e), e));
                return;
            default:
                error!.Throw();
                break;
        }

        // Not in a catch: a journal that cannot record a delivery must stop the run, never turn it into "failed".
        if (target.DeliversAtComplete)
        {
            pendingUntilComplete.Add(item);
        }
        else
        {
            journal.Record(target.JournalKey, message.File, JournalState.Delivered);
            report.Delivered++;
            report.DeliveredBytes += item.ContentLength;
        }

        observer?.MessageDone(item, "delivered");
    }

    /// <summary>
    /// Delivers a batch and adapts the size of the next one to the link: a batch whose outcome became uncertain
    /// (the connection broke in it) halves the limit, down to one message; one that went through doubles it back
    /// (<see cref="AdaptiveBatchLimit"/>). A link that resets every megabyte would otherwise break every group of
    /// fifty for ever; with smaller groups each run delivers more, and the next run settles the uncertain ones by
    /// looking (<see cref="IReplayTarget.CheckAsync"/>) and sends again only those that are absent.
    /// </summary>
    private async Task<int> FlushBatchAsync(ReplayReport report, List<ReplayItem> batch, AdaptiveBatchLimit groups, ResiliencePipeline retry, int sent, CancellationToken cancellationToken)
    {
        int uncertain = report.Uncertain.Count;
        int delivered = report.Delivered;
        sent = await DeliverBatchAsync(report, batch, retry, sent, cancellationToken);
        if (report.Uncertain.Count > uncertain)
        {
            groups.Failed();
            logger.LogInformation("the connection broke during a delivery; the next group takes at most {Count} message(s).", groups.Messages);
        }
        else if (report.Delivered > delivered)
        {
            groups.Succeeded();
        }

        return sent;
    }

    /// <summary>
    /// Delivers a batch all-or-nothing: intents in one commit, one MULTIAPPEND, outcomes in one commit. When
    /// the target refuses the batch, the messages go one by one, so that only the bad one fails.
    /// </summary>
    private async Task<int> DeliverBatchAsync(ReplayReport report, List<ReplayItem> batch, ResiliencePipeline retry, int sent, CancellationToken cancellationToken)
    {
        var items = batch.ToList();
        batch.Clear();
        if (items.Count == 1)
            return await DeliverOneAsync(report, items[0], retry, [], sent, cancellationToken);

        journal.RecordIntents(target.JournalKey, items.Select(i => (i.Message.File, (string?)(target.Checkpoint(i) ?? string.Empty))));
        foreach (ReplayItem _ in items)
            options.AfterIntent?.Invoke(++sent);
        try
        {
            await retry.ExecuteAsync(async ct => await ((IBatchReplayTarget)target).DeliverBatchAsync(items, ct), cancellationToken);
        }
        catch (Exception e) when (e is DeliveryException { Outcome: not DeliveryOutcome.Uncertain } || (e is not DeliveryException && IsMessageProblem(e)))
        {
            logger.LogWarning("a batch of {Count} was refused ({Error}); delivering them one by one.", items.Count, Reason(e));
            foreach (ReplayItem item in items)
                sent = await DeliverOneAsync(report, item, retry, [], sent, cancellationToken);
            return sent;
        }
        catch (DeliveryException e)
        {
            foreach (ReplayItem item in items)
                Record(report, item, e);
            return sent;
        }

        journal.RecordMany(target.JournalKey, items.Select(i => i.Message.File), JournalState.Delivered);
        foreach (ReplayItem item in items)
        {
            report.Delivered++;
            report.DeliveredBytes += item.ContentLength;
            observer?.MessageDone(item, "delivered");
        }

        return sent;
    }

    private void Record(ReplayReport report, ReplayItem item, DeliveryException e)
    {
        string what = Describe(item.Message);
        switch (e.Outcome)
        {
            case DeliveryOutcome.Uncertain:
                journal.Record(target.JournalKey, item.Message.File, JournalState.Uncertain, e.Message);
                report.Uncertain.Add($"{what}: {e.Message}");
                observer?.MessageDone(item, "uncertain");
                logger.LogWarning("{Message}: outcome unknown: {Error}", what, e.Message);
                break;
            case DeliveryOutcome.TryLater:
                journal.Record(target.JournalKey, item.Message.File, JournalState.TryLater, e.Message);
                report.TryLater.Add($"{what}: {e.Message}");
                observer?.MessageDone(item, "later");
                logger.LogWarning("{Message}: try later: {Error}", what, e.Message);
                break;
            default:
                journal.Record(target.JournalKey, item.Message.File, JournalState.Failed, e.Message);
                Fail(report, what, e.Message);
                observer?.MessageDone(item, "failed");
                break;
        }
    }

    private void Fail(ReplayReport report, string what, string reason)
    {
        report.Failed.Add($"{what}: {reason}");
        logger.LogError("{Message}: {Error}", what, reason);
    }

    /// <summary>
    /// True for what concerns one message only: not a cancellation, not a run-level error (classified
    /// <see cref="MailRecoveryException"/> outside the message scope), not the test seam's simulated kill.
    /// </summary>
    private static bool IsMessageProblem(Exception e) => e switch
    {
        OperationCanceledException => false,
        MailRecoveryException m => m.Scope == FailureScope.Message,
        _ => true,
    };

    /// <summary>The reason as a user reads it: the message, and the type for what no target classified.</summary>
    private static string Reason(Exception e) => e is DeliveryException or MailRecoveryException
        ? e.Message
        : $"{e.Message.TrimEnd('.')} ({e.GetType().Name})";

    private static string Describe(ArchivedMessage m) =>
        m.Metadata.MessageId is { } id ? $"<{id}> ({m.File})" : m.File;

    /// <summary>Spaces deliveries evenly: the n-th starts no earlier than n / rate seconds after the first.</summary>
    private async Task PaceAsync(TimeProvider clock, long start, int sent, CancellationToken cancellationToken)
    {
        if (options.MessagesPerSecond <= 0 || sent == 0)
            return;
        TimeSpan due = TimeSpan.FromSeconds(sent / options.MessagesPerSecond) - clock.GetElapsedTime(start);
        if (due > TimeSpan.Zero)
            await Task.Delay(due, clock, cancellationToken);
    }

    /// <param name="deferred">Called at each "try later" (the run then keeps fewer deliveries in flight), or null.</param>
    private ResiliencePipeline RetryPipeline(TimeProvider clock, Action? deferred) =>
        options.MaxRetries <= 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                // Only a definite "not delivered, try later"; an uncertain outcome is never retried blindly.
                ShouldHandle = new PredicateBuilder().Handle<DeliveryException>(e => e.Outcome == DeliveryOutcome.TryLater),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                OnRetry = _ =>
                {
                    deferred?.Invoke();
                    return default;
                },
                // A provider's throttling reply names its wait (Exchange's "Suggested Backoff Time"): honour it;
                // null keeps the exponential backoff.
                DelayGenerator = args => ValueTask.FromResult(Errors.ProviderThrottling.RetryAfter(args.Outcome.Exception)),
            })
            .Build();
}
