using MailRecovery.Core.Status;

namespace MailRecovery.Core.Alerts;

/// <summary>
/// What <c>watch</c> needs to alert on its own: the run, and the limits <c>status</c> would use with the same
/// configuration (so that watch and the <c>status --alert</c> timer agree on what holds and nothing flaps).
/// </summary>
/// <param name="Every">How often watch evaluates (its poll interval); the first evaluation comes one interval after the start, once passes have been recorded.</param>
public sealed record WatchAlerting(AlertRun Run, StatusOptions Status, TimeSpan Every);
