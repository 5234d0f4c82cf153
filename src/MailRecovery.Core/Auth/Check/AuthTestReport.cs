namespace MailRecovery.Core.Auth.Check;

/// <summary>The outcome of <c>auth test</c>: the token's claims (never the token) and one verdict per sign-in.</summary>
/// <param name="Claims">Null for a password, or when no token could be had.</param>
/// <param name="TokenProblem">Why no token could be had (the provider's error and its fix); null otherwise.</param>
public sealed record AuthTestReport(TokenClaims? Claims, string? TokenProblem, IReadOnlyList<AuthVerdict> Verdicts)
{
    /// <summary>True when a token (if any) was had and every sign-in worked.</summary>
    public bool AllOk => TokenProblem is null && Verdicts.All(v => v.Ok);
}
