namespace MailRecovery.Core.Replay;

/// <summary>
/// A target's verdict on a failed delivery. Targets throw it (or let MailKit's exceptions through, which the
/// replay run classifies); <see cref="Outcome"/> decides what happens next.
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
