namespace MailRecovery.Core.Auth;

/// <summary>
/// A public client app registration signing in as a user (device code once, then the stored refresh token):
/// for a mailbox the app may not reach app-only.
/// </summary>
/// <param name="CacheFile">The <see cref="RefreshTokenStore"/> file for MSAL's token cache (refresh token included), 0600.</param>
public sealed record MicrosoftDelegatedOptions(string TenantId, string ClientId, string CacheFile)
{
    /// <summary>The scopes asked for.</summary>
    /// <value>The default is IMAP, POP and SMTP access as the user, plus <c>offline_access</c> for a refresh token.</value>
    public IReadOnlyList<string> Scopes { get; init; } =
    [
        "https://outlook.office.com/IMAP.AccessAsUser.All",
        "https://outlook.office.com/POP.AccessAsUser.All",
        "https://outlook.office.com/SMTP.Send",
        "offline_access",
    ];

    /// <inheritdoc cref="MicrosoftAppOptions.AuthorityHost"/>
    public Uri AuthorityHost { get; init; } = new("https://login.microsoftonline.com/");

    /// <inheritdoc cref="MicrosoftAppOptions.InstanceDiscovery"/>
    public bool InstanceDiscovery { get; init; } = true;
}
