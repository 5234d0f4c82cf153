namespace MailRecovery.Core.Alerts;

/// <summary>One notification about one condition, as every notifier receives it (the webhook body is this, see docs/alerts.md).</summary>
/// <param name="Condition">The stable name of the status condition, e.g. <c>watch-not-running</c>.</param>
/// <param name="Account">The account, helpdesk account or alias it is about; null when it is about the whole archive.</param>
/// <param name="Since">When the condition began, as <c>status</c> knows it; null when unknown.</param>
/// <param name="Reason">The one-line reason <c>status</c> prints; for <see cref="AlertEvent.Cleared"/>, the last one alerted.</param>
/// <param name="Fix">What to do first, one line.</param>
/// <param name="Host">The machine MailRecovery runs on.</param>
/// <param name="Archive">The archive directory.</param>
/// <param name="At">When this alert was made.</param>
public sealed record Alert(AlertEvent Event, string Condition, string? Account, DateTimeOffset? Since, string Reason, string Fix, string Host, string Archive, DateTimeOffset At)
{
    /// <summary>The word for the event in texts: PROBLEM, STILL A PROBLEM, RESOLVED (the words of Nagios-style mail alerts).</summary>
    public string Headline => Event switch
    {
        AlertEvent.Started => "PROBLEM",
        AlertEvent.Reminder => "STILL A PROBLEM",
        _ => "RESOLVED",
    };

    /// <summary>The event as the webhook body spells it.</summary>
    public string EventName => Event switch
    {
        AlertEvent.Started => "started",
        AlertEvent.Reminder => "reminder",
        _ => "cleared",
    };

    /// <summary>A one-line title: <c>MailRecovery on HOST: PROBLEM: account-failing (ACCOUNT)</c>.</summary>
    public string Title => $"MailRecovery on {Host}: {Headline}: {Condition}{(Account is null ? string.Empty : $" ({Account})")}";

    /// <summary>The whole text: title, since, reason, fix (Slack's <c>text</c>, the mail's body starts with it).</summary>
    public string Text => Event == AlertEvent.Cleared
        ? $"{Title}\nno longer holds (was: {Reason})\narchive: {Archive}"
        : $"{Title}\n{Reason}\nsince: {(Since is { } s ? Status.PassStaleness.Utc(s) : "unknown")}\nfix: {Fix}\narchive: {Archive}";
}
