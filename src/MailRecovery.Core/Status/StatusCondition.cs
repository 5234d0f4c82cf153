namespace MailRecovery.Core.Status;

/// <summary>
/// One thing that needs attention: a stable name to match on (monitoring, alerts), since when it holds (null when
/// that is unknown), and the one-line reason shown to the user.
/// </summary>
/// <param name="Condition">
/// <c>watch-not-running</c>, <c>account-failing</c>, <c>account-stale</c>, <c>quiet</c>, <c>nothing-archived</c>,
/// <c>low-day</c>, <c>probe-failed</c>, <c>probe-overdue</c>, <c>helpdesk-not-pulling</c>, <c>helpdesk-not-observed</c>.
/// </param>
/// <param name="Account">
/// What it is about when that is one thing among several: the copy account (<c>account-failing</c>,
/// <c>account-stale</c>), the helpdesk account (<c>helpdesk-*</c>), the alias (<c>probe-failed</c>); null when it
/// is about the whole archive. With <paramref name="Condition"/> it names the condition for alerts.
/// </param>
public sealed record StatusCondition(string Condition, DateTimeOffset? Since, string Reason, string? Account = null);
