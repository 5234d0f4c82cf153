namespace MailRecovery.Core.Replay;

/// <summary>
/// A target that can take several messages in one all-or-nothing operation (IMAP MULTIAPPEND, RFC 3502:
/// "either all or none of the messages are appended"). The run journals the intents of a batch together,
/// delivers it, and journals the outcomes together: two fsyncs a batch instead of two a message.
/// </summary>
public interface IBatchReplayTarget : IReplayTarget
{
    /// <summary>The most messages in one batch; 1 when the server cannot batch (then the run delivers singly).</summary>
    int MaxBatch { get; }

    /// <summary>Delivers all of <paramref name="items"/> or none.</summary>
    /// <exception cref="DeliveryException">None was delivered (TryLater, Failed), or the outcome is unknown (Uncertain).</exception>
    Task DeliverBatchAsync(IReadOnlyList<ReplayItem> items, CancellationToken cancellationToken);
}
