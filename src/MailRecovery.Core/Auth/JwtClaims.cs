using System.Buffers.Text;
using System.Text.Json;

namespace MailRecovery.Core.Auth;

/// <summary>
/// Reads claims from a JWT (RFC 7519) without checking its signature: only to learn when a token from a file or
/// command expires, and (for <c>auth test</c>) what it claims. The server checks the signature; we never trust
/// these values for access decisions.
/// </summary>
public static class JwtClaims
{
    /// <summary>The <c>exp</c> claim (RFC 7519 section 4.1.4), or null when the token is not a JWT or has none.</summary>
    public static DateTimeOffset? ExpiryOf(string token)
    {
        using JsonDocument? payload = TryReadPayload(token);
        if (payload is null || payload.RootElement.ValueKind != JsonValueKind.Object)
            return null;
        return payload.RootElement.TryGetProperty("exp", out JsonElement exp) && exp.TryGetInt64(out long seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
    }

    /// <summary>The payload of a compact JWS (header.payload.signature), or null when it is not one.</summary>
    public static JsonDocument? TryReadPayload(string token)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length == 0)
            return null;
        try
        {
            return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
