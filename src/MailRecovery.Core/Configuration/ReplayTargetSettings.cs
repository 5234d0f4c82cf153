namespace MailRecovery.Core.Configuration;

/// <summary>
/// The optional <c>replay</c> section: how <c>replay --config</c> reaches its <c>--to</c> target. The command
/// line wins over it (<c>--password-file</c>, <c>--ca-file</c>, <c>--insecure</c>).
/// </summary>
/// <param name="PasswordFile">The target account's password file (absolute); null when not configured.</param>
/// <param name="PasswordEnvironmentVariable">The variable holding the target's password, when there is no file.</param>
/// <param name="CaFile">The PEM to trust for the target: <c>replay.caFile</c>, else the top-level <c>caFile</c>.</param>
/// <param name="Insecure"><c>replay.insecure</c>, else the top-level <c>insecure</c>.</param>
/// <param name="CheckIn"><c>replay.checkIn</c>: the IMAP mailbox an SMTP or LMTP target delivers to (<c>--check-in</c>).</param>
/// <param name="CheckInPasswordFile"><c>replay.checkInPasswordFile</c> (absolute), or null.</param>
/// <param name="CheckInPasswordEnvironmentVariable"><c>replay.checkInPasswordEnv</c>, when there is no file.</param>
public sealed record ReplayTargetSettings(string? PasswordFile, string? PasswordEnvironmentVariable, string? CaFile, bool Insecure,
    string? CheckIn = null, string? CheckInPasswordFile = null, string? CheckInPasswordEnvironmentVariable = null)
{
    /// <summary>The target's token credential (<c>replay.tokenFile</c>, <c>tokenCommand</c> or <c>oauth2</c>); null: the password keys.</summary>
    public Protocols.Credential? Credential { get; init; }

    /// <summary>The check-in mailbox's token credential (<c>replay.checkInTokenFile</c>, <c>checkInTokenCommand</c>); null: its password keys.</summary>
    public Protocols.Credential? CheckInCredential { get; init; }
}
