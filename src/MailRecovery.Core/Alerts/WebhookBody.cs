namespace MailRecovery.Core.Alerts;

/// <summary>
/// The body of format <c>generic</c> (docs/alerts.md documents it field by field; a scripting contract, so fields
/// are only ever added). <c>text</c> is there too, so a Slack-compatible receiver shows something even with this
/// format. Times are ISO 8601 in UTC.
/// </summary>
/// <param name="Event"><c>started</c>, <c>reminder</c> or <c>cleared</c>.</param>
internal sealed record WebhookBody(string Event, string Condition, string? Account, DateTimeOffset? Since, string Reason, string Fix, string Host, string Archive, DateTimeOffset At, string Text)
{
    public static WebhookBody From(Alert a) =>
        new(a.EventName, a.Condition, a.Account, a.Since?.ToUniversalTime(), a.Reason, a.Fix, a.Host, a.Archive, a.At.ToUniversalTime(), a.Text);
}
