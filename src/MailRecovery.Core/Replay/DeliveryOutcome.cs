namespace MailRecovery.Core.Replay;

/// <summary>How a delivery attempt ended when it did not simply succeed.</summary>
public enum DeliveryOutcome
{
    /// <summary>Definitely not delivered, and trying again later may work (SMTP 4xx, pipe exit 75).</summary>
    TryLater,

    /// <summary>Definitely not delivered, and trying again will fail the same way (SMTP 5xx, pipe exit 1).</summary>
    Failed,

    /// <summary>Maybe delivered: the connection broke after the message was handed over. Never retried blindly.</summary>
    Uncertain,
}
