namespace MailRecovery.Core.Auth;

/// <summary>
/// An Entra ID (Azure AD) app registration signing in as itself (client credentials, app-only): the usual set-up
/// for a shared helpdesk mailbox, with <c>IMAP.AccessAsApp</c> / <c>POP.AccessAsApp</c> granted and the app's
/// service principal given access to the mailbox in Exchange Online. Exactly one of
/// <see cref="ClientSecretFile"/> and <see cref="CertificateFile"/> is set.
/// </summary>
public sealed record MicrosoftAppOptions(string TenantId, string ClientId)
{
    /// <summary>A 0600 file holding the client secret on its first line.</summary>
    public string? ClientSecretFile { get; init; }

    /// <summary>A 0600 PEM file holding the certificate and its private key (Microsoft's recommended credential).</summary>
    public string? CertificateFile { get; init; }

    /// <summary>The scopes asked for.</summary>
    /// <value>The default is <c>https://outlook.office365.com/.default</c>: every application permission granted for Exchange Online.</value>
    public IReadOnlyList<string> Scopes { get; init; } = ["https://outlook.office365.com/.default"];

    /// <summary>The authority host (a national cloud, or the tests' stand-in); the tenant id is appended.</summary>
    /// <value>The default is <c>https://login.microsoftonline.com/</c>.</value>
    public Uri AuthorityHost { get; init; } = new("https://login.microsoftonline.com/");

    /// <summary>Whether MSAL checks the authority with Microsoft's instance discovery; off only for a private authority.</summary>
    public bool InstanceDiscovery { get; init; } = true;
}
