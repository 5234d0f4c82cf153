using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Configuration.Check;

/// <summary>One row of <c>config check</c>: an endpoint (or one of its mailboxes) and what became of it.</summary>
/// <param name="Key">Where the endpoint is configured, as the file spells it (<c>accounts[0]</c>, <c>probe.smtp</c>).</param>
/// <param name="Endpoint">What was checked, e.g. <c>imap://copy@host:993</c> or <c>imap://copy@host:993/Junk</c>.</param>
/// <param name="Detail">What was seen when it worked ("logged in", "3 messages"), else the problem.</param>
/// <param name="Kind">The failure's class, null when it worked.</param>
/// <param name="Fix">What to change, in the configuration's words; null when it worked.</param>
public sealed record EndpointVerdict(string Key, string Endpoint, string Detail, FailureKind? Kind = null, string? Fix = null)
{
    public bool Ok => Kind is null;

    /// <summary>The exit code this row alone would give (<see cref="ExitCodes.For"/>).</summary>
    public int ExitCode => Kind is { } kind ? ExitCodes.For(new MailRecoveryException(kind, FailureScope.Account, Detail)) : ExitCodes.Ok;

    /// <summary>
    /// The verb's exit code over all rows: 0 when all worked; 2 when anything is the user's to fix (a password, a
    /// CA, a mailbox name), because waiting will not help; else 1 for a server's lasting refusal; 75 when the only
    /// trouble is a server that could not be reached, so a later run may pass unchanged.
    /// </summary>
    public static int Overall(IEnumerable<EndpointVerdict> rows)
    {
        int[] codes = rows.Select(r => r.ExitCode).Where(c => c != ExitCodes.Ok).ToArray();
        if (codes.Length == 0)
            return ExitCodes.Ok;
        if (codes.Contains(ExitCodes.Usage))
            return ExitCodes.Usage;
        return codes.Contains(ExitCodes.SomeFailed) ? ExitCodes.SomeFailed : ExitCodes.TemporaryFailure;
    }
}
