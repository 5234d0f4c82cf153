namespace MailRecovery.Core.Alerts;

/// <summary>One way of telling the admin: the webhook, a mail. Implementers throw when the alert was not delivered; <see cref="AlertRun"/> retries it at the next evaluation.</summary>
public interface IAlertNotifier
{
    /// <summary>The notifier's name in the state file and the log (<c>webhook</c>, <c>mail</c>); each keeps its own record of what it was told.</summary>
    string Name { get; }

    Task SendAsync(Alert alert, CancellationToken cancellationToken);
}
