namespace MailRecovery.Core.Errors;

/// <summary>The process exit codes every verb uses. They are a scripting contract: never renumber.</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Ok = 0;

    /// <summary>The run finished but some messages failed (each is named in the report).</summary>
    public const int SomeFailed = 1;

    /// <summary>The command line or the configuration is wrong (a refused password and an untrusted certificate count as configuration); nothing was deleted.</summary>
    public const int Usage = 2;

    /// <summary>A temporary failure (server unreachable, disk full): run again later (sysexits EX_TEMPFAIL).</summary>
    public const int TemporaryFailure = 75;

    public static int For(MailRecoveryException error) => error.Kind switch
    {
        FailureKind.Usage or FailureKind.Authentication or FailureKind.Certificate => Usage,
        FailureKind.Transient or FailureKind.LocalStorage => TemporaryFailure,

        // Permanent, Uncertain (maybe delivered: look before re-sending) and Internal (a bug).
        _ => SomeFailed,
    };
}
