namespace MailRecovery.Core.Auth;

/// <summary>
/// An OAuth2 access token (RFC 6749 section 1.4) as sent in SASL XOAUTH2 or OAUTHBEARER (RFC 7628), and when it
/// stops working. <see cref="ExpiresUtc"/> is null when the source cannot tell (an opaque token from a file):
/// such a token is fetched again for every connection.
/// </summary>
/// <remarks><see cref="ToString"/> never shows <see cref="Value"/>: a token in a log line is a password in it.</remarks>
public sealed record AccessToken(string Value, DateTimeOffset? ExpiresUtc)
{
    /// <summary>"access token (expires 2026-11-29T10:00:00Z)", never the token.</summary>
    public override string ToString() =>
        ExpiresUtc is { } expires ? $"access token (expires {expires.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ})" : "access token (expiry unknown)";
}
