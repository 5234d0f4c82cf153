using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Fetch;

/// <summary>Everything needed to fetch one account.</summary>
/// <param name="Name">The account's name in the configuration (or its URI on the command line), for messages.</param>
public sealed record AccountSpec(string Name, SourceEndpoint Endpoint, Protocols.Credential Credentials, CertificateTrust Trust, ServerPolicy Policy)
{
    /// <summary>The helpdesk's own account that <c>watch</c> looks at after each pass (the primary ledger), or null.</summary>
    public Primary.PrimarySpec? Primary { get; init; }
}
