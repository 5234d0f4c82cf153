namespace MailRecovery.Core.Auth;

/// <summary>
/// What the configuration or the command line says about an account's access tokens, before anything is read:
/// <see cref="TokenSourceFactory"/> turns it into a token source. Holds paths and names only, never a secret, so
/// it may be printed (<c>auth test</c>, <c>config check</c>).
/// </summary>
/// <param name="Kind">Which provider; it decides which of the other members are used.</param>
public sealed record TokenSpec(TokenKind Kind)
{
    /// <summary><see cref="TokenKind.TokenFile"/>: the file's path.</summary>
    public string? File { get; init; }

    /// <summary><see cref="TokenKind.TokenCommand"/>: the command line (split without a shell).</summary>
    public string? Command { get; init; }

    /// <summary>Microsoft: the directory (tenant) id or domain.</summary>
    public string? Tenant { get; init; }

    /// <summary>Microsoft and Google (refresh token): the app registration's (OAuth client's) id.</summary>
    public string? ClientId { get; init; }

    /// <summary>Microsoft app-only and Google refresh token: a 0600 file whose first line is the client secret.</summary>
    public string? ClientSecretFile { get; init; }

    /// <summary>Microsoft app-only: a 0600 PEM file with the certificate and its private key.</summary>
    public string? CertificateFile { get; init; }

    /// <summary>Google service account: its JSON key file.</summary>
    public string? ServiceAccountKeyFile { get; init; }

    /// <summary>Google service account: the mailbox to act as.</summary>
    public string? User { get; init; }

    /// <summary>
    /// Microsoft delegated (device code) and Google refresh token: the file holding the refresh token (0600,
    /// rewritten atomically on every rotation). For Microsoft, its presence means delegated rather than app-only.
    /// </summary>
    public string? TokenStore { get; init; }

    /// <summary>
    /// Microsoft: the authority host (a national cloud, or the tests' stand-in; instance discovery is then off).
    /// Google: the token endpoint.
    /// </summary>
    public Uri? Authority { get; init; }

    /// <summary>Google refresh token: the authorization endpoint <c>auth login</c> sends the browser to (the tests' stand-in); null: Google's.</summary>
    public Uri? AuthorizationEndpoint { get; init; }

    /// <summary>The scopes asked for; null: the provider's default (Exchange Online's, or Gmail's https://mail.google.com/).</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>A token file.</summary>
    public static TokenSpec FromFile(string path) => new(TokenKind.TokenFile) { File = path };

    /// <summary>A token command.</summary>
    public static TokenSpec FromCommand(string command) => new(TokenKind.TokenCommand) { Command = command };

    /// <summary>One line for messages: the provider and its file or command, never a secret.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.TokenFile => $"token file {File}",
        TokenKind.TokenCommand => "token command",
        TokenKind.Microsoft => TokenStore is null ? $"Microsoft app {ClientId} in {Tenant}" : $"Microsoft delegated sign-in (store {TokenStore})",
        _ => ServiceAccountKeyFile is null ? $"Google refresh token (store {TokenStore})" : $"Google service account acting as {User}",
    };
}
