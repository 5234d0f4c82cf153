namespace MailRecovery.Core.Auth;

/// <summary>An installed-app OAuth client and a refresh token for one Google account (personal Gmail).</summary>
/// <param name="ClientId">The OAuth client's id (Desktop app type).</param>
/// <param name="ClientSecretFile">A 0600 file holding the client secret on its first line.</param>
/// <param name="StoreFile">The <see cref="RefreshTokenStore"/> file holding the refresh token.</param>
public sealed record GoogleRefreshTokenOptions(string ClientId, string ClientSecretFile, string StoreFile)
{
    /// <summary>The token endpoint.</summary>
    /// <value>The default is <c>https://oauth2.googleapis.com/token</c>.</value>
    public Uri TokenUri { get; init; } = new("https://oauth2.googleapis.com/token");

    /// <summary>The authorization endpoint the browser is sent to by <c>auth login</c>.</summary>
    /// <value>The default is <c>https://accounts.google.com/o/oauth2/v2/auth</c>.</value>
    public Uri AuthorizationUri { get; init; } = new("https://accounts.google.com/o/oauth2/v2/auth");

    /// <summary>The scope asked for at sign-in (space separated); the refresh token carries it.</summary>
    /// <value>The default is <c>https://mail.google.com/</c>, the only scope Gmail's IMAP, POP3 and SMTP accept.</value>
    public string Scope { get; init; } = "https://mail.google.com/";
}
