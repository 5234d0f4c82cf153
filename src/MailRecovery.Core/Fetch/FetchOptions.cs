using MailRecovery.Core.Resilience;

namespace MailRecovery.Core.Fetch;

/// <summary>Tuning of a fetch pass.</summary>
public sealed class FetchOptions
{
    /// <summary>The most messages made durable together (one directory fsync, one index commit).</summary>
    /// <value>The default value is 200 messages.</value>
    public int BatchMessages { get; set; } = 200;

    /// <summary>The most announced bytes in one batch.</summary>
    /// <value>The default value is 32 MiB.</value>
    public long BatchBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// <c>archive repair</c>: download only what puts back missing or damaged files (new messages wait for the next
    /// fetch; without stable ids, POP3 without UIDL, everything is downloaded as always).
    /// </summary>
    public bool RepairOnly { get; set; }

    public ResilienceOptions Resilience { get; set; } = new();

    /// <summary>A test seam: called after each durable step; a test throws from it to simulate a crash.</summary>
    public Action<FetchStep>? AfterStep { get; set; }
}
