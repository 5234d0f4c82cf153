namespace MailRecovery.Core.Alerts;

/// <summary>
/// Format <c>ntfy</c>: ntfy's JSON publishing (docs.ntfy.sh/publish, "Publish as JSON"), posted to the server's
/// root URL with the topic in the body.
/// </summary>
/// <param name="Priority">1 (min) to 5 (max): 4 (high) while a condition holds, 3 (default) when it clears.</param>
/// <param name="Tags">Emoji short codes ntfy shows before the title.</param>
internal sealed record NtfyBody(string Topic, string Title, string Message, int Priority, IReadOnlyList<string> Tags);
