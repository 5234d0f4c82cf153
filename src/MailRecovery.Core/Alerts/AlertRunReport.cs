namespace MailRecovery.Core.Alerts;

/// <summary>What one evaluation did.</summary>
/// <param name="Skipped">True when another process held the state lock (it was evaluating the same conditions); nothing was sent.</param>
/// <param name="Sent">The alerts delivered, with the notifier's name.</param>
/// <param name="Failed">The alerts not delivered, with the notifier's name and the error's message; made again at the next evaluation.</param>
public sealed record AlertRunReport(bool Skipped, IReadOnlyList<(string Notifier, Alert Alert)> Sent, IReadOnlyList<(string Notifier, Alert Alert, string Error)> Failed);
