namespace MailRecovery.Core.Configuration;

/// <summary>
/// The optional <c>replay</c> section: how <c>replay --config</c> reaches its <c>--to</c> target. The command
/// line wins over it (<c>--password-file</c>, <c>--ca-file</c>, <c>--insecure</c>).
/// </summary>
/// <param name="PasswordFile">The target account's password file (absolute); null when not configured.</param>
/// <param name="PasswordEnvironmentVariable">The variable holding the target's password, when there is no file.</param>
/// <param name="CaFile">The PEM to trust for the target: <c>replay.caFile</c>, else the top-level <c>caFile</c>.</param>
/// <param name="Insecure"><c>replay.insecure</c>, else the top-level <c>insecure</c>.</param>
public sealed record ReplayTargetSettings(string? PasswordFile, string? PasswordEnvironmentVariable, string? CaFile, bool Insecure)
{
    /// <summary><c>replay.connections</c>: SMTP sessions delivering at once (<c>--connections</c> wins); null when not configured.</summary>
    public int? Connections { get; init; }
}
