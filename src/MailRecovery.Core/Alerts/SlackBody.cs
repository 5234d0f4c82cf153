namespace MailRecovery.Core.Alerts;

/// <summary>
/// Format <c>slack</c>: an incoming webhook's minimal message, <c>{"text": ...}</c>, which Slack, Mattermost,
/// Rocket.Chat and Discord's <c>/slack</c> endpoint all take.
/// </summary>
internal sealed record SlackBody(string Text);
