using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
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

    public async Task<ReplayReport> RunAsync(ReplayPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        TimeProvider clock = archive.Clock;
        long start = clock.GetTimestamp();
        var report = new ReplayReport { Selected = plan.Messages.Count };
        Dictionary<string, JournalEntry> entries = journal.Load(target.JournalKey);
        ResiliencePipeline retry = RetryPipeline(clock);
        var pendingUntilComplete = new List<ReplayItem>();
        var sharedIds = plan.Messages.Where(m => m.Metadata.MessageId is not null)
            .GroupBy(m => m.Metadata.MessageId!, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal);

        await target.OpenAsync(cancellationToken);
        int sent = 0;
        long firstDelivery = 0;
        foreach (ArchivedMessage message in plan.Messages)
        {
            cancellationToken.ThrowIfCancellationRequested();
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

            var item = new ReplayItem(message, path, message.Metadata.MessageId is { } id && sharedIds.Contains(id));
            bool unfinished = entry?.State is JournalState.Intent or JournalState.Uncertain;
            Presence presence = await target.CheckAsync(item, unfinished ? entry!.Checkpoint ?? string.Empty : null, cancellationToken);
            if (presence == Presence.Present)
            {
                journal.Record(target.JournalKey, message.File, JournalState.Present);
                report.AlreadyPresent++;
                observer?.MessageDone(item, "present");
                continue;
            }

            if (unfinished && presence == Presence.Unknown && !options.ResendUncertain)
            {
                journal.Record(target.JournalKey, message.File, JournalState.Uncertain, entry!.Detail ?? "the run delivering it was interrupted");
                report.Uncertain.Add($"{Describe(message)}: an earlier delivery may have gone through (use --resend-uncertain to send it again)");
                observer?.MessageDone(item, "uncertain");
                continue;
            }

            if (sent == 0)
                firstDelivery = clock.GetTimestamp();
            await PaceAsync(clock, firstDelivery, sent, cancellationToken);
            journal.RecordIntent(target.JournalKey, message.File, target.Checkpoint(item) ?? string.Empty);
            sent++;
            options.AfterIntent?.Invoke(sent);
            try
            {
                await retry.ExecuteAsync(async ct => await target.DeliverAsync(item, ct), cancellationToken);
                if (target.DeliversAtComplete)
                {
                    pendingUntilComplete.Add(item);
                }
                else
                {
                    journal.Record(target.JournalKey, message.File, JournalState.Delivered);
                    report.Delivered++;
                    report.DeliveredBytes += message.Size;
                }

                observer?.MessageDone(item, "delivered");
            }
            catch (DeliveryException e)
            {
                Record(report, item, e);
            }
            catch (MailRecoveryException e) when (e.Kind is FailureKind.Usage or FailureKind.Authentication or FailureKind.Certificate)
            {
                // Refused before anything was sent (a missing --mail-from, a refused login): the message is
                // certainly not delivered, so it must not look "unfinished" to the next run.
                journal.Record(target.JournalKey, message.File, JournalState.Failed, e.Message);
                throw;
            }
        }

        await target.CompleteAsync(cancellationToken);
        foreach (ReplayItem item in pendingUntilComplete)
        {
            journal.Record(target.JournalKey, item.Message.File, JournalState.Delivered);
            report.Delivered++;
            report.DeliveredBytes += item.Message.Size;
        }

        report.Elapsed = clock.GetElapsedTime(start);
        return report;
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

    private ResiliencePipeline RetryPipeline(TimeProvider clock) =>
        options.MaxRetries <= 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                // Only a definite "not delivered, try later"; an uncertain outcome is never retried blindly.
                ShouldHandle = new PredicateBuilder().Handle<DeliveryException>(e => e.Outcome == DeliveryOutcome.TryLater),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
            })
            .Build();
}
