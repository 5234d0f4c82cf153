namespace MailRecovery.Core.Probe.Audit;

/// <summary>How to reach a network primary source; ignored by the file sources.</summary>
/// <param name="PasswordFile">The primary account's password (first line); null: the environment variable <see cref="PasswordVariable"/>.</param>
/// <param name="CaFile">PEM certificates trusted in addition to the system store.</param>
/// <param name="Insecure">Allow <c>?tls=none</c>: the password crosses the network unencrypted.</param>
public sealed record PrimarySourceOptions(string? PasswordFile, string? CaFile, bool Insecure)
{
    /// <summary>Where the password comes from without a file (the same variable <c>alias verify</c> reads for the primary).</summary>
    public const string PasswordVariable = "MAILRECOVERY_PRIMARY_PASSWORD";

    /// <summary>A token credential (<c>--token-file</c>, <c>--token-command</c>) instead of the password; null: the password.</summary>
    public Protocols.Credential? Credential { get; init; }
}
