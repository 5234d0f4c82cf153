using System.Text.Json.Serialization;

namespace MailRecovery.Core.Auth;

/// <summary>
/// A token endpoint's JSON reply: success (RFC 6749 section 5.1) or error (section 5.2). Providers add their own
/// members (Microsoft's <c>error_codes</c>), which are ignored.
/// </summary>
internal sealed record TokenEndpointReply(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("expires_in")] long? ExpiresIn,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription)
{
    /// <summary>The scopes granted, space separated (RFC 6749 section 5.1: sent when they differ from those asked for; Google always sends them).</summary>
    [JsonPropertyName("scope")]
    public string? Scope { get; init; }

    /// <summary>The OpenID Connect ID token (a JWT naming the user) when <c>openid</c> was asked for.</summary>
    [JsonPropertyName("id_token")]
    public string? IdToken { get; init; }
}
