using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Replay;

/// <summary>
/// A target's verdict on one failed delivery, in the one failure model: a <see cref="MailRecoveryException"/> of
/// <see cref="FailureScope.Message"/> whose kind follows the <see cref="Outcome"/> (try later → transient, failed →
/// permanent, uncertain → uncertain). Targets classify what their protocol library throws where they call it;
/// <see cref="Outcome"/> decides what <see cref="ReplayRun"/> does next. A classified error of a wider scope (the
/// server is gone, the login is refused) stops the run with the intent journaled, and the next run treats that
/// message as unfinished.
/// </summary>
public sealed class DeliveryException : MailRecoveryException
{
    public DeliveryException(DeliveryOutcome outcome, string message, Exception? inner = null)
        : base(KindOf(outcome), FailureScope.Message, message, null, inner) => Outcome = outcome;

    public DeliveryException()
        : this(DeliveryOutcome.Failed, "delivery failed")
    {
    }

    public DeliveryException(string message)
        : this(DeliveryOutcome.Failed, message)
    {
    }

    public DeliveryException(string message, Exception inner)
        : this(DeliveryOutcome.Failed, message, inner)
    {
    }

    public DeliveryOutcome Outcome { get; }

    private static FailureKind KindOf(DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.TryLater => FailureKind.Transient,
        DeliveryOutcome.Uncertain => FailureKind.Uncertain,
        _ => FailureKind.Permanent,
    };
}
