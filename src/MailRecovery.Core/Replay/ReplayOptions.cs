namespace MailRecovery.Core.Replay;

/// <summary>How a replay delivers.</summary>
public sealed class ReplayOptions
{
    /// <summary>Re-send messages whose earlier delivery has an unknown outcome, when the target cannot tell.</summary>
    /// <value>The default value is false: an uncertain message is reported, not sent twice.</value>
    public bool ResendUncertain { get; set; }

    /// <summary>The most messages per second (0: no limit), so a helpdesk does not fire a storm of auto-replies.</summary>
    /// <value>The default value is 0.</value>
    public double MessagesPerSecond { get; set; }

    /// <summary>Retries of a delivery the target answered with "try later" (SMTP 4xx, pipe exit 75).</summary>
    /// <value>The default value is 2.</value>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first wait before such a retry; later ones double, with jitter.</summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// <c>--deliver-as</c>: the address that replaces the copy account's Delivered-To/X-Original-To on top of each
    /// message (<see cref="DeliveredToRewrite"/>), checked by <see cref="DeliveredToRewrite.ValidateAddress"/>.
    /// </summary>
    /// <value>The default value is null: the archive's bytes as they are.</value>
    public string? DeliverAs { get; set; }

    /// <summary>A test seam: called after the intent of the n-th delivery is durable; a test throws to simulate a crash.</summary>
    public Action<int>? AfterIntent { get; set; }
}
