using MailRecovery.Core.Auth;
using MailRecovery.Core.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Core.Configuration;

/// <summary>
/// The token keys of every sign-in in the configuration (an account, its primary, the replay target and check-in, the
/// probe's SMTP and primary, the alert mail's SMTP): <c>tokenFile</c>, <c>tokenCommand</c>, or an
/// <c>oauth2</c> section (<c>provider</c> "microsoft" | "google", <c>tenant</c>, <c>clientId</c>,
/// <c>clientSecretFile</c>, <c>certificateFile</c>, <c>serviceAccountKeyFile</c>, <c>user</c>, <c>tokenStore</c>,
/// <c>authority</c>, <c>authorizationEndpoint</c>, <c>scope</c>). Paths are resolved against the configuration's directory.
/// </summary>
internal static class TokenConfigParser
{
    /// <summary>The token spec the section names, or null when it names none; <paramref name="prefix"/> "" or e.g. "checkIn".</summary>
    /// <exception cref="Errors.MailRecoveryException">More than one token key, or an unknown provider (usage, naming the key).</exception>
    public static TokenSpec? Parse(IConfigurationSection s, string baseDirectory, string prefix = "")
    {
        string Key(string name) => prefix.Length == 0 ? name : prefix + char.ToUpperInvariant(name[0]) + name[1..];
        string? file = ConfigLoader.Resolve(ConfigLoader.Optional(s, Key("tokenFile")), baseDirectory);
        string? command = ConfigLoader.Optional(s, Key("tokenCommand"));
        IConfigurationSection o = s.GetSection(Key("oauth2"));
        bool oauth = o.GetChildren().Any();
        if ((file is null ? 0 : 1) + (command is null ? 0 : 1) + (oauth ? 1 : 0) > 1)
            throw ConfigLoader.Error(ConfigLoader.KeyOf(s, Key("tokenFile")), $"more than one of \"{Key("tokenFile")}\", \"{Key("tokenCommand")}\" and \"{Key("oauth2")}\" is set", "keep the one this account signs in with.");
        if (file is not null)
            return TokenSpec.FromFile(file);
        if (command is not null)
            return TokenSpec.FromCommand(command);
        if (!oauth)
            return null;
        string provider = ConfigLoader.Optional(o, "provider") ?? "";
        TokenKind kind = provider.ToLowerInvariant() switch
        {
            "microsoft" => TokenKind.Microsoft,
            "google" => TokenKind.Google,
            _ => throw ConfigLoader.Error(ConfigLoader.KeyOf(o, "provider"), $"'{provider}' is not an OAuth2 provider", "use \"microsoft\" or \"google\"."),
        };
        string? authority = ConfigLoader.Optional(o, "authority");
        string? scope = ConfigLoader.Optional(o, "scope");
        return new TokenSpec(kind)
        {
            Tenant = ConfigLoader.Optional(o, "tenant"),
            ClientId = ConfigLoader.Optional(o, "clientId"),
            ClientSecretFile = ConfigLoader.Resolve(ConfigLoader.Optional(o, "clientSecretFile"), baseDirectory),
            CertificateFile = ConfigLoader.Resolve(ConfigLoader.Optional(o, "certificateFile"), baseDirectory),
            ServiceAccountKeyFile = ConfigLoader.Resolve(ConfigLoader.Optional(o, "serviceAccountKeyFile"), baseDirectory),
            User = ConfigLoader.Optional(o, "user"),
            TokenStore = ConfigLoader.Resolve(ConfigLoader.Optional(o, "tokenStore"), baseDirectory),
            Authority = authority is null ? null
                : Uri.TryCreate(authority, UriKind.Absolute, out Uri? u) && u.Scheme == Uri.UriSchemeHttps ? u
                : throw ConfigLoader.Error(ConfigLoader.KeyOf(o, "authority"), $"'{authority}' is not an https:// URL", "give the authority host, e.g. \"https://login.microsoftonline.us/\"."),
            AuthorizationEndpoint = Https(o, "authorizationEndpoint"),
            Scopes = scope is null ? null : scope.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        };
    }

    /// <summary>
    /// The credential of one sign-in's keys, <paramref name="prefix"/> before each ("" for an account, "smtp" for
    /// <c>smtpPasswordFile</c>, <c>smtpTokenFile</c>, <c>smtpOauth2</c>, ...): a token source, else the password file
    /// or variable (both null when neither is set: the caller decides whether a sign-in without one is allowed).
    /// </summary>
    /// <param name="who">The sign-in, as the error names it: "the account", "the probe's SMTP sign-in", ...</param>
    /// <param name="logger">Where the token source warns (a refresh token near its inactivity limit): the verb's log.</param>
    /// <exception cref="Errors.MailRecoveryException">A password and a token both set, or what <see cref="Parse"/> refuses (usage, naming the key).</exception>
    public static Protocols.Credential ParseCredential(IConfigurationSection s, string baseDirectory, string prefix, string who, CertificateTrust trust, ILogger? logger)
    {
        string Key(string name) => prefix.Length == 0 ? name : prefix + char.ToUpperInvariant(name[0]) + name[1..];
        string? passwordFile = ConfigLoader.Resolve(ConfigLoader.Optional(s, Key("passwordFile")), baseDirectory);
        string? passwordEnv = ConfigLoader.Optional(s, Key("passwordEnv"));
        TokenSpec? token = Parse(s, baseDirectory, prefix);
        if (token is not null && (passwordFile is not null || passwordEnv is not null))
        {
            throw ConfigLoader.Error(ConfigLoader.KeyOf(s, Key(passwordFile is null ? "passwordEnv" : "passwordFile")), $"{who} has both a password and an access token",
                $"keep one of {Key("passwordFile")}, {Key("passwordEnv")}, {Key("tokenFile")}, {Key("tokenCommand")} and {Key("oauth2")}.");
        }

        return token is null ? new SourceCredentials(passwordFile, passwordEnv) : Credential(token, trust, logger);
    }

    private static Uri? Https(IConfigurationSection o, string key)
    {
        string? value = ConfigLoader.Optional(o, key);
        return value is null ? null
            : Uri.TryCreate(value, UriKind.Absolute, out Uri? u) && u.Scheme == Uri.UriSchemeHttps ? u
            : throw ConfigLoader.Error(ConfigLoader.KeyOf(o, key), $"'{value}' is not an https:// URL", "leave it out for Google's own, https://accounts.google.com/o/oauth2/v2/auth.");
    }

    /// <summary>The credential for a parsed spec; its identity provider's HTTPS also trusts <paramref name="trust"/>.</summary>
    /// <param name="logger">Where the token source warns; null: nowhere (only for callers without a verb's log).</param>
    public static Protocols.TokenCredential Credential(TokenSpec spec, CertificateTrust trust, ILogger? logger) =>
        TokenSourceFactory.Credential(spec, TimeProvider.System, logger, trust);
}
