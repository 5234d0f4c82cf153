namespace MailRecovery.Core.Replay;

/// <summary>
/// A target's verdict on a failed delivery: targets catch what their protocol library throws and say here
/// what it means; <see cref="Outcome"/> decides what happens next. Anything else a target throws stops the run
/// with the intent journaled, and the next run treats that message as unfinished.
/// </summary>
public sealed class DeliveryException : Exception
{
    public DeliveryException(DeliveryOutcome outcome, string message, Exception? inner = null)
        : base(message, inner) => Outcome = outcome;

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
}
