namespace MailRecovery.Core.Protocols;

/// <summary>An OAuth2 access token (RFC 6749 §1.4) and when it stops working.</summary>
/// <param name="Value">The bearer token itself: a secret, never logged, printed or stored in the index.</param>
/// <param name="ExpiresOn">When the issuer says it expires; null when it did not say.</param>
public sealed record AccessToken(string Value, DateTimeOffset? ExpiresOn)
{
    /// <summary>Never the token: a record's generated text would print it into any log that formats this.</summary>
    public override string ToString() => $"access token (expires {ExpiresOn?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"})";
}
