using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Replay;

/// <summary>The outcome of a replay run.</summary>
public sealed class ReplayReport
{
    public int Selected { get; set; }

    /// <summary>Delivered in this run.</summary>
    public int Delivered { get; set; }

    /// <summary>Already in the target (found there, or the journal proved an earlier delivery went through).</summary>
    public int AlreadyPresent { get; set; }

    /// <summary>Taken copies in the target made new again instead of delivered twice (IMAP: <c>\Seen</c> cleared).</summary>
    public int MarkedUnread { get; set; }

    /// <summary>Delivered by an earlier run, per the journal.</summary>
    public int SkippedByJournal { get; set; }

    public long DeliveredBytes { get; set; }

    /// <summary>Outcome unknown (connection lost after hand-over); not re-sent.</summary>
    public List<string> Uncertain { get; } = [];

    /// <summary>Refused by the target, with the reason.</summary>
    public List<string> Failed { get; } = [];

    /// <summary>The target said "later"; the next run tries again.</summary>
    public List<string> TryLater { get; } = [];

    public TimeSpan Elapsed { get; set; }

    /// <summary>
    /// The run-level error that stopped the run before the end of the plan (a refused login, a missing
    /// <c>--mail-from</c>), or null. The counts above say what happened before it.
    /// </summary>
    public MailRecoveryException? StoppedBy { get; set; }

    /// <summary>The stopping error's code (<see cref="ExitCodes.For"/>); else 0 all delivered; 1 some failed or uncertain; 75 only "try later" left.</summary>
    public int ExitCode => StoppedBy is not null ? ExitCodes.For(StoppedBy)
        : Failed.Count > 0 || Uncertain.Count > 0 ? ExitCodes.SomeFailed
        : TryLater.Count > 0 ? ExitCodes.TemporaryFailure
        : ExitCodes.Ok;
}
