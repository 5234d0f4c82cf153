using System.Text.Json;

namespace MailRecovery.Core.Auth.Check;

/// <summary>
/// What an access token claims, for <c>auth test</c>: read from the JWT payload (RFC 7519) without checking the
/// signature (the mail server does that), and never holding the token itself, so it may be printed and put in JSON.
/// Microsoft's tokens for personal accounts and Google's are opaque (not JWTs): then only <see cref="IsJwt"/> is false.
/// </summary>
public sealed record TokenClaims
{
    public bool IsJwt { get; init; }

    /// <summary><c>aud</c>: the resource the token is for (Exchange Online: https://outlook.office365.com).</summary>
    public IReadOnlyList<string> Audience { get; init; } = [];

    /// <summary><c>scp</c> or <c>scope</c>: delegated permissions (space-separated in the token).</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary><c>roles</c>: application permissions of an app-only token (IMAP.AccessAsApp, …).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary><c>tid</c>: Microsoft's directory (tenant) id.</summary>
    public string? Tenant { get; init; }

    /// <summary>The signed-in user: <c>upn</c>, <c>email</c>, <c>preferred_username</c>, else <c>sub</c>.</summary>
    public string? User { get; init; }

    public string? Issuer { get; init; }

    /// <summary><c>appid</c> / <c>azp</c>: the client the token was issued to.</summary>
    public string? ClientId { get; init; }

    public DateTimeOffset? ExpiresOn { get; init; }

    /// <summary>The claims of <paramref name="token"/>; <see cref="IsJwt"/> false when it is not a JWT.</summary>
    public static TokenClaims Read(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        using JsonDocument? payload = JwtClaims.TryReadPayload(token);
        if (payload is null || payload.RootElement.ValueKind != JsonValueKind.Object)
            return new TokenClaims();
        JsonElement c = payload.RootElement;
        return new TokenClaims
        {
            IsJwt = true,
            Audience = Strings(c, "aud"),
            Scopes = [.. (Text(c, "scp") ?? Text(c, "scope") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)],
            Roles = Strings(c, "roles"),
            Tenant = Text(c, "tid"),
            User = Text(c, "upn") ?? Text(c, "email") ?? Text(c, "preferred_username") ?? Text(c, "unique_name") ?? Text(c, "sub"),
            Issuer = Text(c, "iss"),
            ClientId = Text(c, "appid") ?? Text(c, "azp"),
            ExpiresOn = c.TryGetProperty("exp", out JsonElement exp) && exp.TryGetInt64(out long s) ? DateTimeOffset.FromUnixTimeSeconds(s) : null,
        };
    }

    /// <summary>True when the token grants <paramref name="permission"/> as a scope or a role (a full URI or its last part).</summary>
    public bool Grants(string permission) =>
        Scopes.Concat(Roles).Any(p => string.Equals(p, permission, StringComparison.OrdinalIgnoreCase)
            || p.EndsWith("/" + permission, StringComparison.OrdinalIgnoreCase)
            || permission.EndsWith("/" + p, StringComparison.OrdinalIgnoreCase));

    /// <summary>True when the token is for <paramref name="audience"/> (trailing slashes ignored).</summary>
    public bool IsFor(string audience) =>
        Audience.Any(a => string.Equals(a.TrimEnd('/'), audience.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));

    private static string? Text(JsonElement c, string name) =>
        c.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string[] Strings(JsonElement c, string name) =>
        !c.TryGetProperty(name, out JsonElement v) ? []
        : v.ValueKind == JsonValueKind.String ? [v.GetString()!]
        : v.ValueKind == JsonValueKind.Array ? [.. v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
        : [];
}
