using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailRecovery.Core.Auth;

/// <summary>
/// Turns a <see cref="TokenSpec"/> into the token source that serves it. Identity-platform sources are wrapped in
/// <see cref="RenewingTokenSource"/> (renewed 5 minutes before expiry, one renewal shared by parallel sign-ins);
/// token files and commands are not: they are re-read on every sign-in, since the helper that writes them renews.
/// </summary>
public static class TokenSourceFactory
{
    /// <param name="trust">
    /// Also trusted for the identity provider's HTTPS (besides the system store): the account's <c>caFile</c>, for a
    /// private authority (a sovereign cloud's proxy, the tests' stand-in).
    /// </param>
    /// <exception cref="MailRecoveryException">The spec lacks what its provider needs (usage, with the key to set).</exception>
    public static IAccessTokenSource Create(TokenSpec spec, TimeProvider clock, ILogger? logger = null, CertificateTrust? trust = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(clock);
        logger ??= NullLogger.Instance;
        switch (spec.Kind)
        {
            case TokenKind.TokenFile:
                return new TokenFileSource(Need(spec.File, "tokenFile"));
            case TokenKind.TokenCommand:
                return new TokenCommandSource(Need(spec.Command, "tokenCommand"));
            case TokenKind.Microsoft:
                return new RenewingTokenSource(Microsoft(spec, clock, logger, Http(trust)), clock);
            case TokenKind.Google:
                return new RenewingTokenSource(Google(spec, clock, logger, Http(trust)), clock);
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown token kind");
        }
    }

    /// <summary>The credential for a spec: <see cref="TokenCredential"/> over <see cref="Create"/>.</summary>
    public static TokenCredential Credential(TokenSpec spec, TimeProvider clock, ILogger? logger = null, CertificateTrust? trust = null) =>
        new(Create(spec, clock, logger, trust));

    private static IAccessTokenSource Microsoft(TokenSpec spec, TimeProvider clock, ILogger logger, HttpClient http)
    {
        string tenant = Need(spec.Tenant, "oauth2.tenant");
        string clientId = Need(spec.ClientId, "oauth2.clientId");
        Uri host = spec.Authority ?? new Uri("https://login.microsoftonline.com/");
        bool discovery = spec.Authority is null;
        if (spec.TokenStore is { } store)
        {
            var delegated = new MicrosoftDelegatedOptions(tenant, clientId, store) { AuthorityHost = host, InstanceDiscovery = discovery };
            return new MicrosoftDelegatedSource(spec.Scopes is null ? delegated : delegated with { Scopes = spec.Scopes }, clock, logger, http);
        }

        if ((spec.ClientSecretFile is null) == (spec.CertificateFile is null))
        {
            throw MailRecoveryException.Usage("oauth2 (microsoft): give exactly one of clientSecretFile and certificateFile for app-only access, or tokenStore for a delegated sign-in.",
                "set \"clientSecretFile\" (a 0600 file with the app's secret) or \"certificateFile\" (a 0600 PEM with certificate and key); for a user's own mailbox set \"tokenStore\" and run mailrecovery auth login.");
        }

        var app = new MicrosoftAppOptions(tenant, clientId)
        {
            ClientSecretFile = spec.ClientSecretFile,
            CertificateFile = spec.CertificateFile,
            AuthorityHost = host,
            InstanceDiscovery = discovery,
        };
        return new MicrosoftAppSource(spec.Scopes is null ? app : app with { Scopes = spec.Scopes }, http);
    }

    private static IAccessTokenSource Google(TokenSpec spec, TimeProvider clock, ILogger logger, HttpClient http)
    {
        if (spec.ServiceAccountKeyFile is { } keyFile)
            return new GoogleServiceAccountSource(new GoogleServiceAccountOptions(keyFile, Need(spec.User, "oauth2.user")) { TokenUri = spec.Authority, Scope = spec.Scopes is null ? "https://mail.google.com/" : string.Join(' ', spec.Scopes) }, http, clock);
        var options = new GoogleRefreshTokenOptions(Need(spec.ClientId, "oauth2.clientId"), Need(spec.ClientSecretFile, "oauth2.clientSecretFile"), Need(spec.TokenStore, "oauth2.tokenStore"));
        options = spec.Authority is null ? options : options with { TokenUri = spec.Authority };
        options = spec.AuthorizationEndpoint is null ? options : options with { AuthorizationUri = spec.AuthorizationEndpoint };
        options = spec.Scopes is null ? options : options with { Scope = string.Join(' ', spec.Scopes) };
        return new GoogleRefreshTokenSource(options, http, clock, logger);
    }

    private static HttpClient Http(CertificateTrust? trust) => new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (trust ?? CertificateTrust.System).Validate },
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    });

    private static string Need(string? value, string key) =>
        string.IsNullOrEmpty(value)
            ? throw MailRecoveryException.Usage($"the access token settings lack \"{key}\".", $"set \"{key}\" (see docs/oauth2.md).")
            : value;
}
