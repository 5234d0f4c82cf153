namespace MailRecovery.Core.Auth.Check;

/// <summary>One protocol's sign-in, as <c>auth test</c> tells it.</summary>
/// <param name="Protocol">IMAP, POP3 or SMTP.</param>
/// <param name="Endpoint">The server, as host:port (never a password or token).</param>
/// <param name="Ok">True when the sign-in worked.</param>
/// <param name="Problem">What the server said or what went wrong; null when it worked.</param>
/// <param name="Fixes">What to do, most likely first; empty when it worked.</param>
public sealed record AuthVerdict(string Protocol, string Endpoint, bool Ok, string? Problem, IReadOnlyList<string> Fixes)
{
    /// <summary>What the endpoint is for (<see cref="AuthTarget.Use"/>).</summary>
    /// <value>The default value is "source".</value>
    public string Use { get; init; } = "source";

    /// <summary>How it signs in: "token", "password", or "none" (an SMTP relay without a login).</summary>
    /// <value>The default value is "token".</value>
    public string SignIn { get; init; } = "token";

    /// <summary>The claims of the token this sign-in used (never the token); null for a password or when no token was had.</summary>
    public TokenClaims? Claims { get; init; }
}
