using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// A file target whose disk is full stops the replay at once, the way a full archive disk stops a fetch: every
/// following message would fail the same way, and "try later" with retries costs seconds a message for nothing.
/// The error is of the run's scope, so <see cref="ReplayRun"/> stops with it (exit 75) and keeps the intent
/// journaled: the next run looks for the message in the target before sending it again.
/// </summary>
internal static class TargetDiskFull
{
    public static bool Is(Exception error) => error is IOException io && ErrorClassifier.IsDiskFull(io);

    /// <param name="description">The target, as the user named it (<c>maildir:/srv/mail/helpdesk</c>).</param>
    public static MailRecoveryException Error(string description, Exception error) => new(FailureKind.LocalStorage, FailureScope.Run,
        $"{description}: the target's disk is full ({error.Message.TrimEnd('.')}); the replay stopped.",
        "free space on the target's disk (or replay to another one), then run the same replay again: what was delivered is in the journal and is not sent twice.",
        error);
}
