using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Alerts;

/// <summary>The <c>alerts:webhook</c> section.</summary>
/// <param name="Url">Where to POST; for ntfy the topic's URL.</param>
/// <param name="Token">Sent as <c>Authorization: Bearer TOKEN</c> (ntfy access tokens, most generic receivers); null: none.</param>
public sealed record WebhookSettings(Uri Url, WebhookFormat Format, SourceCredentials? Token)
{
    /// <summary>The URL without its path and query, which often are the secret (Slack's path, ntfy's topic): what the log shows.</summary>
    public string Display => Url.GetLeftPart(UriPartial.Authority);
}
