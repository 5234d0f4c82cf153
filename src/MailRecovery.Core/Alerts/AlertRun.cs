using MailRecovery.Core.Errors;
using MailRecovery.Core.Status;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Core.Alerts;

/// <summary>
/// One alert evaluation: under the state file's lock, for each notifier, the alerts due (<see cref="AlertEvaluator"/>)
/// are sent one by one, and each is recorded as told, durably, as soon as it is delivered, so a crash between two
/// never repeats the first. A notifier that fails (receiver down, SMTP refused) is logged plainly and left for this
/// round: its alert stays due and is tried again at the next evaluation; the other notifier goes on. Nothing is
/// thrown but cancellation and a state file that cannot be read (which a person must look at).
/// </summary>
public sealed class AlertRun : IDisposable
{
    private readonly AlertOptions options;
    private readonly string dataDir;
    private readonly string archive;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly IReadOnlyList<IAlertNotifier> notifiers;
    private readonly string host;

    /// <param name="dataDir">The archive's <c>mailrecovery/</c> directory, where <c>alerts.json</c> lives.</param>
    /// <param name="notifiers">Null: those <paramref name="options"/> configures; tests pass their own.</param>
    public AlertRun(AlertOptions options, string archive, string dataDir, TimeProvider clock, ILogger logger, IReadOnlyList<IAlertNotifier>? notifiers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        this.archive = archive;
        this.dataDir = dataDir;
        this.clock = clock;
        this.logger = logger;
        this.notifiers = notifiers ?? Configured(options);
        host = System.Net.Dns.GetHostName();
    }

    public void Dispose()
    {
        foreach (IDisposable d in notifiers.OfType<IDisposable>())
            d.Dispose();
    }

    public async Task<AlertRunReport> EvaluateAsync(IEnumerable<StatusCondition> conditions, CancellationToken cancellationToken)
    {
        List<StatusCondition> current = [.. conditions];
        using AlertStateFile? state = AlertStateFile.TryLock(dataDir);
        if (state is null)
        {
            logger.LogInformation("alerts: another mailrecovery process is evaluating alerts right now; this evaluation is skipped.");
            return new AlertRunReport(true, [], []);
        }

        AlertStateDocument document = state.Load();
        var sent = new List<(string, Alert)>();
        var failed = new List<(string, Alert, string)>();
        foreach (IAlertNotifier notifier in notifiers)
        {
            List<AlertedCondition> told = document.Channel(notifier.Name);
            foreach (Alert alert in AlertEvaluator.Evaluate(told, current, clock.GetUtcNow(), options.Reminder, host, archive))
            {
                try
                {
                    await notifier.SendAsync(alert, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    MailRecoveryException error = e as MailRecoveryException ?? ErrorClassifier.Classify(e, $"the {notifier.Name} alert");
                    logger.LogError("alert not delivered by {Notifier}: {Event} {Condition}: {Error} It is sent again at the next evaluation.", notifier.Name, alert.EventName, alert.Condition, error.Message);
                    failed.Add((notifier.Name, alert, error.Message));
                    break; // the receiver is down: the rest of this round would fail the same way
                }

                AlertEvaluator.Apply(told, alert);
                state.Save(document);
                sent.Add((notifier.Name, alert));
                logger.LogWarning("alert sent by {Notifier}: {Headline}: {Condition}{Account}", notifier.Name, alert.Headline, alert.Condition, alert.Account is null ? string.Empty : $" ({alert.Account})");
            }
        }

        return new AlertRunReport(false, sent, failed);
    }

    private static List<IAlertNotifier> Configured(AlertOptions options)
    {
        var list = new List<IAlertNotifier>();
        if (options.Webhook is not null)
            list.Add(new WebhookNotifier(options.Webhook, options.Trust, options.Timeout));
        if (options.Mail is not null)
            list.Add(new MailNotifier(options.Mail, options.Trust));
        return list;
    }
}
