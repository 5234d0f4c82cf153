namespace MailRecovery.Core.Auth;

/// <summary>
/// What a <see cref="RefreshTokenStore"/> file holds: the long-lived secret (a refresh token, or MSAL's serialized
/// token cache which holds one) and when it was last used. Microsoft ends a refresh token after 90 days without
/// use (AADSTS700082) and Google after six months, so the last use is recorded with every save.
/// </summary>
public sealed record StoredGrant(string Secret, DateTimeOffset LastUsedUtc)
{
    /// <summary>Never the secret.</summary>
    public override string ToString() => $"stored grant (last used {LastUsedUtc.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ})";
}
