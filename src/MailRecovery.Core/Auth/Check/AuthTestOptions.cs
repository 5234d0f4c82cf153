using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Auth.Check;

/// <summary>What <see cref="AuthTestRun"/> checks.</summary>
/// <param name="Credential">The account's credential: a token source (its claims are read) or a password.</param>
/// <param name="Targets">Every server the account signs in to, in the order told.</param>
public sealed record AuthTestOptions(Credential Credential, IReadOnlyList<AuthTarget> Targets)
{
    /// <value>The default value is the system store.</value>
    public CertificateTrust Trust { get; init; } = CertificateTrust.System;

    /// <summary>What servers other than Exchange Online and Gmail want (audience, scope) and the expected tenant.</summary>
    /// <value>The default value knows nothing.</value>
    public AuthExpectation Expected { get; init; } = new(null, null, [], []);
}
