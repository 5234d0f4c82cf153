namespace MailRecovery.Cli.Auth;

/// <summary>The --json report of <c>auth test</c>: the token's claims (never the token) and one entry per sign-in.</summary>
internal sealed record AuthTestJson(bool Ok, int ExitCode, AuthTestJson.ClaimsJson? Token, string? TokenProblem, IReadOnlyList<AuthTestJson.SignInJson> SignIns)
{
    /// <param name="Jwt">False for an opaque token (its claims cannot be read).</param>
    internal sealed record ClaimsJson(bool Jwt, IReadOnlyList<string> Audience, IReadOnlyList<string> Scopes, IReadOnlyList<string> Roles, string? Tenant, string? User, string? ClientId, DateTimeOffset? ExpiresOn);

    /// <param name="Use">What the endpoint is for: "account", "primary", "probe.smtp", "probe.primary", "replay.checkIn", "alerts.mail"; "source" and "smtp" with --source.</param>
    /// <param name="SignIn">"token", "password" or "none" (an SMTP relay without a login).</param>
    /// <param name="Token">The claims of the token this sign-in used; null for a password.</param>
    internal sealed record SignInJson(string Protocol, string Endpoint, bool Ok, string? Problem, IReadOnlyList<string> Fixes, string Use, string SignIn, ClaimsJson? Token);
}
