namespace MailRecovery.Core.Resilience;

/// <summary>
/// How much goes into the next batch (fetch) or MULTIAPPEND group (replay) on a link that may break, the way TCP
/// sizes its window (RFC 5681 §3.1): a failure halves the limit, down to one message, and remembers the halved
/// size as a threshold; after a success the limit doubles while below the threshold (slow start) and grows by one
/// message at or above it (congestion avoidance). A link that resets every few megabytes so settles on batches
/// that mostly fit between two resets, where doubling straight back would lose a whole batch at every reset; a
/// link that never failed stays at the configured most.
/// <para>Not thread-safe: one account's loop (or one replay run) owns an instance.</para>
/// </summary>
public sealed class AdaptiveBatchLimit
{
    private readonly int maxMessages;
    private readonly long maxBytes;
    private int threshold;

    /// <param name="maxMessages">The most messages in one batch (at least 1).</param>
    /// <param name="maxBytes">The most bytes in one batch (at least 1); a single message larger than this still goes, alone.</param>
    /// <param name="startSmall">
    /// Start at an eighth of the most (after a recorded failure: a bad link is likely still bad), doubling back
    /// to the most after as many successes as it takes.
    /// </param>
    public AdaptiveBatchLimit(int maxMessages, long maxBytes, bool startSmall = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        threshold = maxMessages;
        Messages = startSmall ? Math.Max(1, maxMessages / 8) : maxMessages;
        Bytes = startSmall ? Math.Max(1, maxBytes / 8) : maxBytes;
    }

    /// <summary>The most messages in the next batch, from 1 to the configured most.</summary>
    public int Messages { get; private set; }

    /// <summary>The most bytes in the next batch, from 1 to the configured most.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// True when a batch of <paramref name="count"/> messages and <paramref name="bytes"/> bytes may not take a
    /// message of <paramref name="next"/> bytes more (a negative size, unknown, counts as 0). An empty batch always
    /// takes a message, whatever its size.
    /// </summary>
    public bool IsFull(int count, long bytes, long next) =>
        count > 0 && (count >= Messages || bytes + Math.Max(0, next) > Bytes);

    /// <summary>The batch broke (the connection dropped in it, or its outcome is unknown): halve.</summary>
    public void Failed()
    {
        Messages = Math.Max(1, Messages / 2);
        Bytes = Math.Max(1, Bytes / 2);
        threshold = Messages;
    }

    /// <summary>The batch went through: double below the threshold, one message more at or above it; never past the most.</summary>
    public void Succeeded()
    {
        if (Messages < threshold)
        {
            Messages = (int)Math.Min(maxMessages, 2L * Messages);
            Bytes = Bytes > maxBytes / 2 ? maxBytes : 2 * Bytes;
        }
        else
        {
            long perMessage = Math.Max(1, Bytes / Messages);
            Messages = Math.Min(maxMessages, Messages + 1);
            Bytes = Math.Min(maxBytes, Bytes + perMessage);
        }
    }
}
