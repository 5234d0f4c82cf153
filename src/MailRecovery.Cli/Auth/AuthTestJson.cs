namespace MailRecovery.Cli.Auth;

/// <summary>The --json report of <c>auth test</c>: the token's claims (never the token) and one entry per sign-in.</summary>
internal sealed record AuthTestJson(bool Ok, int ExitCode, AuthTestJson.ClaimsJson? Token, string? TokenProblem, IReadOnlyList<AuthTestJson.SignInJson> SignIns)
{
    /// <param name="Jwt">False for an opaque token (its claims cannot be read).</param>
    internal sealed record ClaimsJson(bool Jwt, IReadOnlyList<string> Audience, IReadOnlyList<string> Scopes, IReadOnlyList<string> Roles, string? Tenant, string? User, string? ClientId, DateTimeOffset? ExpiresOn);

    internal sealed record SignInJson(string Protocol, string Endpoint, bool Ok, string? Problem, IReadOnlyList<string> Fixes);
}
