using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Probe;

/// <summary>The result of one alias verification.</summary>
public sealed record ProbeReport(
    string Token,
    string Alias,
    SmtpSubmission? Smtp,
    MailboxObservation? Copy,
    MailboxObservation? Primary,
    ProbeVerdict Verdict,
    IReadOnlyList<ProbeFinding> Findings,
    IReadOnlyList<string> Notes)
{
    /// <summary>What became of the probe in the primary; null when no primary was watched or nothing reached the copy.</summary>
    public ProbeCleanupOutcome? PrimaryCleanup { get; init; }

    /// <summary>0 the alias works, 1 it is broken, 75 it could not be told (the scripting contract).</summary>
    public int ExitCode => Verdict switch
    {
        ProbeVerdict.Works => ExitCodes.Ok,
        ProbeVerdict.Broken => ExitCodes.SomeFailed,
        _ => ExitCodes.TemporaryFailure,
    };
}
