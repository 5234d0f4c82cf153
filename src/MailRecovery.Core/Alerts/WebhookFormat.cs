namespace MailRecovery.Core.Alerts;

/// <summary>The shape of the webhook's JSON body (configuration key <c>alerts:webhook:format</c>).</summary>
public enum WebhookFormat
{
    /// <summary>MailRecovery's own body, every field (<see cref="WebhookBody"/>); the default.</summary>
    Generic,

    /// <summary><c>{"text": ...}</c> for Slack-compatible incoming webhooks.</summary>
    Slack,

    /// <summary>ntfy's JSON publishing; the URL is the topic's (<c>https://ntfy.example.com/TOPIC</c>).</summary>
    Ntfy,
}
