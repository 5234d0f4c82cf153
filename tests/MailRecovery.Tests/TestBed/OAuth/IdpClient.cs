using System.Security.Cryptography;

namespace MailRecovery.Tests.TestBed.OAuth;

/// <summary>
/// An app registered at the stand-in identity provider. <see cref="Mailbox"/> is the mailbox an app-only token
/// names (what Exchange's mailbox permission for the service principal decides in Microsoft 365; Dovecot checks
/// the token's "email" against the login user); <see cref="Permissions"/> go into the token's "scope" claim.
/// </summary>
public sealed record IdpClient(string ClientId)
{
    public string? Secret { get; init; }

    /// <summary>The public key of the certificate the app signs client assertions with (RFC 7523 section 2.2).</summary>
    public RSA? AssertionKey { get; init; }

    /// <summary>Application permissions (app-only) or the consented delegated scope, space separated in tokens.</summary>
    public IReadOnlyList<string> Permissions { get; init; } = [];

    public string? Mailbox { get; init; }

    /// <summary>
    /// Google's OAuth client type: a "Desktop app" accepts any loopback redirect (http://127.0.0.1:PORT/); a "Web
    /// application" accepts only its registered URIs, so a loopback one gets redirect_uri_mismatch.
    /// </summary>
    public bool DesktopApp { get; init; } = true;

    /// <summary>For Google service accounts: the scopes domain-wide delegation allows (Admin console, API controls).</summary>
    public IReadOnlyList<string> DelegatedScopes { get; init; } = [];
}
