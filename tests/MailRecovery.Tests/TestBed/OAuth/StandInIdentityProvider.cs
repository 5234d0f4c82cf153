using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace MailRecovery.Tests.TestBed.OAuth;

/// <summary>
/// A small OAuth2 / OpenID Connect authority for the tests, on https://localhost:PORT/ with the test bed's TLS
/// certificate: a discovery document, a token endpoint for client credentials (secret or certificate assertion),
/// refresh tokens (rotated: a used one is dead), device code (RFC 8628) and Google's JWT-bearer grant
/// (RFC 7523), and Google's installed-app sign-in: an authorization endpoint (GET /auth) that approves at once as
/// the login_hint (or declines, for <see cref="DeclinedUsers"/>) and redirects to the loopback redirect_uri, and the
/// authorization_code grant, which checks the PKCE verifier (RFC 7636, S256) and the redirect_uri; issuing JWTs
/// signed RS256 with the bed's key, which Dovecot validates. Paths follow Microsoft's
/// (/{tenant}/oauth2/v2.0/token, /devicecode) so MSAL finds them from an authority https://localhost:PORT/{tenant}.
/// Start it with <see cref="StartAsync"/>; register apps in <see cref="Clients"/>.
/// </summary>
public sealed class StandInIdentityProvider : IAsyncDisposable
{
    public const string Tenant = "bed-tenant";
    private const string DeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";
    private const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 tlsCertificate;
    private readonly RSA signingKey;
    private readonly TestBedFixture bed;
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentDictionary<string, (string ClientId, string Email, string Scope)> refreshTokens = new();
    private readonly ConcurrentDictionary<string, DeviceAuthorization> deviceCodes = new();
    private readonly ConcurrentDictionary<string, CodeAuthorization> codes = new();
    private readonly Task loop;

    private StandInIdentityProvider(TestBedFixture bed)
    {
        this.bed = bed;
        tlsCertificate = X509Certificate2.CreateFromPemFile(bed.CaFile, bed.TlsKeyFile);
        signingKey = RSA.Create();
        signingKey.ImportFromPem(File.ReadAllText(bed.OAuthSigningKey));
        listener.Start();
        loop = AcceptLoopAsync();
    }

    public ConcurrentDictionary<string, IdpClient> Clients { get; } = new();

    /// <summary>Lifetime of issued access tokens (5 s for the expiry tests).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// When set, access tokens die at the server (their "exp") after this, while the reply's expires_in still says
    /// <see cref="AccessTokenLifetime"/>: a cached token the server refuses before the client expects it (revoked,
    /// clock skew), so only the sign-in's renew-once-on-refusal can go on.
    /// </summary>
    public TimeSpan? ServerLifetime { get; set; }

    /// <summary>Every secret this provider handed out (access, ID and refresh tokens, minted ones too), to scan for leaks.</summary>
    public ConcurrentQueue<string> Issued { get; } = new();

    /// <summary>Whether a refresh token is replaced on every use, as Microsoft does.</summary>
    public bool RotateRefreshTokens { get; set; } = true;

    /// <summary>Users who decline at the consent screen: the authorization endpoint redirects with error=access_denied.</summary>
    public ConcurrentDictionary<string, bool> DeclinedUsers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The Google account the user picks in the account chooser; null: the login_hint.</summary>
    public string? SignInAs { get; set; }

    /// <summary>Whether the authorization_code grant returns a refresh token (Google omits it without fresh consent).</summary>
    public bool RefreshTokenOnCodeGrant { get; set; } = true;

    /// <summary>Every grant handled, in order ("client_credentials", "refresh_token", …), with the result.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public Uri BaseUri => new($"https://localhost:{((IPEndPoint)listener.LocalEndpoint).Port}/");

    /// <summary>What MSAL's WithAuthority takes.</summary>
    public Uri AuthorityHost => BaseUri;

    /// <summary>Google-style token endpoint (for the JWT-bearer and refresh grants).</summary>
    public Uri TokenUri => new(BaseUri, "token");

    /// <summary>Google-style authorization endpoint (the installed-app sign-in's browser step).</summary>
    public Uri AuthorizationUri => new(BaseUri, "auth");

    public static Task<StandInIdentityProvider> StartAsync(TestBedFixture bed) => Task.FromResult(Start(bed));

    /// <summary>Starts listening at once (for a class fixture that starts it on first use).</summary>
    public static StandInIdentityProvider Start(TestBedFixture bed) => new(bed);

    /// <summary>The user approves the device code sign-in shown as <paramref name="userCode"/>, as <paramref name="email"/>.</summary>
    public void Approve(string userCode, string email)
    {
        DeviceAuthorization d = deviceCodes.Values.Single(x => x.UserCode == userCode);
        d.ApprovedAs = email;
    }

    /// <summary>A refresh token as an earlier sign-in would have left (Google's installed-app consent).</summary>
    public string IssueRefreshToken(string clientId, string email, string scope) => NewRefreshToken(clientId, email, scope);

    /// <summary>Whether a refresh token is still accepted.</summary>
    public bool IsRefreshTokenValid(string refreshToken) => refreshTokens.ContainsKey(refreshToken);

    /// <summary>A token signed like the issued ones, with claims edited (wrong audience, expired, …).</summary>
    public string Mint(string email, Action<JsonObject>? edit = null)
    {
        JsonObject claims = AccessClaims(bed.OAuthAudience, email, "user-" + email, bed.OAuthScope, AccessTokenLifetime);
        edit?.Invoke(claims);
        return Sign(claims);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        tlsCertificate.Dispose();
        signingKey.Dispose();
        stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client = await listener.AcceptTcpClientAsync(stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var ssl = new SslStream(client.GetStream());
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = tlsCertificate }, stop.Token);
                IdpRequest? request = await IdpRequest.ReadAsync(ssl, stop.Token);
                if (request is null)
                    return;
                (int status, JsonObject body) = HandleSafely(request);
                byte[] content = Encoding.UTF8.GetBytes(body.ToJsonString());
                string location = status == 302 ? $"Location: {body["location"]}\r\n" : string.Empty;
                string head = $"HTTP/1.1 {status} {(status switch { 200 => "OK", 302 => "Found", _ => "Error" })}\r\n{location}Content-Type: application/json; charset=utf-8\r\n" +
                    $"Content-Length: {content.Length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
                await ssl.WriteAsync(Encoding.ASCII.GetBytes(head), stop.Token);
                await ssl.WriteAsync(content, stop.Token);
                await ssl.FlushAsync(stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
            }
        }
    }

    // A bug in the stand-in shows up in the test's output (Log), not as a dropped connection.
    private (int Status, JsonObject Body) HandleSafely(IdpRequest request)
    {
        try
        {
            return Handle(request);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or NullReferenceException or System.Text.Json.JsonException or CryptographicException or KeyNotFoundException or IndexOutOfRangeException)
        {
            Log.Enqueue($"stand-in failed on {request.Path}: {e}");
            return (400, Error("invalid_request", "stand-in identity provider failed: " + e));
        }
    }

    private (int Status, JsonObject Body) Handle(IdpRequest request)
    {
        string tenant = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? Tenant;
        if (request.Method == "GET" && request.Path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
            return (200, Discovery(tenant));
        if (request.Method == "GET" && request.Path == "/auth")
            return Authorize(request);
        if (request.Method == "POST" && tenant.StartsWith("unknown-", StringComparison.Ordinal))
            return (400, Error("invalid_request", $"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."));
        if (request.Method == "POST" && (request.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal) || request.Path == "/token"))
            return Token(request);
        if (request.Method == "POST" && request.Path.EndsWith("/oauth2/v2.0/devicecode", StringComparison.Ordinal))
            return DeviceCode(request, tenant);
        return (404, Error("not_found", $"no endpoint {request.Method} {request.Path}"));
    }

    private JsonObject Discovery(string tenant) => new()
    {
        ["issuer"] = bed.OAuthIssuer,
        ["authorization_endpoint"] = new Uri(BaseUri, $"{tenant}/oauth2/v2.0/authorize").AbsoluteUri,
        ["token_endpoint"] = new Uri(BaseUri, $"{tenant}/oauth2/v2.0/token").AbsoluteUri,
        ["device_authorization_endpoint"] = new Uri(BaseUri, $"{tenant}/oauth2/v2.0/devicecode").AbsoluteUri,
        ["jwks_uri"] = new Uri(BaseUri, $"{tenant}/discovery/v2.0/keys").AbsoluteUri,
        ["response_types_supported"] = new JsonArray("code"),
        ["subject_types_supported"] = new JsonArray("pairwise"),
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt"),
        ["grant_types_supported"] = new JsonArray("client_credentials", "refresh_token", DeviceGrant, JwtBearerGrant),
        ["tenant_region_scope"] = "EU",
    };

    private (int, JsonObject) Token(IdpRequest request)
    {
        string grant = request["grant_type"] ?? "";
        (int status, JsonObject body) = grant switch
        {
            "client_credentials" => ClientCredentials(request),
            "refresh_token" => Refresh(request),
            "device_code" or DeviceGrant => DeviceToken(request),
            JwtBearerGrant => ServiceAccount(request),
            "authorization_code" => CodeToken(request),
            _ => (400, Error("unsupported_grant_type", $"grant {grant} is not supported")),
        };
        Log.Enqueue($"{(grant == DeviceGrant ? "device_code" : grant)} {(status == 200 ? "ok" : body["error"]?.ToString())}");
        return (status, body);
    }

    private (int, JsonObject) ClientCredentials(IdpRequest request)
    {
        if (Authenticate(request) is not { } client)
            return (401, Error("invalid_client", "AADSTS7000215: Invalid client secret provided."));
        string scope = request["scope"] ?? "";
        if (!scope.EndsWith("/.default", StringComparison.Ordinal))
            return (400, Error("invalid_scope", "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier."));
        string resource = scope[..^"/.default".Length];
        JsonObject claims = AccessClaims(resource, client.Mailbox ?? "", "sp-" + client.ClientId, string.Join(' ', client.Permissions), AccessTokenLifetime);
        claims["roles"] = new JsonArray(client.Permissions.Select(p => (JsonNode)p).ToArray());
        claims["appid"] = client.ClientId;
        return (200, TokenReply(Sign(claims), scope, refreshToken: null, idToken: null, clientInfo: null));
    }

    private (int, JsonObject) Refresh(IdpRequest request)
    {
        string presented = request["refresh_token"] ?? "";
        if (!refreshTokens.TryGetValue(presented, out var grant) || grant.ClientId != request["client_id"])
            return (400, Error("invalid_grant", "AADSTS70008: The provided authorization code or refresh token has expired or was already used."));
        if (Clients.TryGetValue(grant.ClientId, out IdpClient? client) && client.Secret is { } secret && request["client_secret"] != secret)
            return (401, Error("invalid_client", "client secret mismatch"));
        string refreshToken = presented;
        if (RotateRefreshTokens)
        {
            refreshTokens.TryRemove(presented, out _);
            refreshToken = NewRefreshToken(grant.ClientId, grant.Email, grant.Scope);
        }

        return UserTokens(grant.ClientId, grant.Email, grant.Scope, refreshToken);
    }

    private (int, JsonObject) DeviceCode(IdpRequest request, string tenant)
    {
        string clientId = request["client_id"] ?? "";
        if (!Clients.ContainsKey(clientId))
            return (400, Error("unauthorized_client", $"AADSTS700016: Application with identifier '{clientId}' was not found in the directory '{tenant}'."));
        var d = new DeviceAuthorization(clientId, request["scope"] ?? "", RandomNumberGenerator.GetHexString(32), RandomNumberGenerator.GetString("BCDFGHJKLMNPQRSTVWXZ", 8));
        deviceCodes[d.DeviceCode] = d;
        string verification = new Uri(BaseUri, "devicelogin").AbsoluteUri;
        return (200, new JsonObject
        {
            ["device_code"] = d.DeviceCode,
            ["user_code"] = d.UserCode,
            ["verification_uri"] = verification,
            ["expires_in"] = 900,
            ["interval"] = 1,
            ["message"] = $"To sign in, use a web browser to open the page {verification} and enter the code {d.UserCode} to authenticate.",
        });
    }

    private (int, JsonObject) DeviceToken(IdpRequest request)
    {
        if (!deviceCodes.TryGetValue(request["device_code"] ?? "", out DeviceAuthorization? d) || d.ClientId != request["client_id"])
            return (400, Error("invalid_grant", "AADSTS70000: unknown device code"));
        if (d.ApprovedAs is not { } email)
            return (400, Error("authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending."));
        deviceCodes.TryRemove(d.DeviceCode, out _);
        return UserTokens(d.ClientId, email, d.Scope, NewRefreshToken(d.ClientId, email, d.Scope));
    }

    /// <summary>
    /// The browser step of Google's installed-app sign-in, approved at once as the login_hint: a redirect to the
    /// redirect_uri with code and state (RFC 6749 section 4.1.2), or error=access_denied for a declining user. Like
    /// Google, a bad client or redirect_uri is shown to the user (400) instead of redirected.
    /// </summary>
    private (int, JsonObject) Authorize(IdpRequest request)
    {
        string Q(string name) => request.Query.TryGetValue(name, out string? v) ? v : "";
        string clientId = Q("client_id"), redirect = Q("redirect_uri"), state = Q("state");
        string outcome;
        (int, JsonObject) reply;
        if (!Clients.TryGetValue(clientId, out IdpClient? client))
            (outcome, reply) = ("invalid_client", (400, Error("invalid_client", "The OAuth client was not found.")));
        else if (!client.DesktopApp || !redirect.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
            (outcome, reply) = ("redirect_uri_mismatch", (400, Error("redirect_uri_mismatch", "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy.")));
        else if (Q("response_type") != "code" || Q("code_challenge_method") != "S256" || Q("code_challenge").Length < 43)
            (outcome, reply) = ("invalid_request", (400, Error("invalid_request", "response_type code with an S256 code_challenge is required")));
        else if (DeclinedUsers.ContainsKey(Q("login_hint")))
            (outcome, reply) = ("access_denied", Redirect(redirect, ("error", "access_denied"), ("state", state)));
        else
        {
            string code = "4/" + RandomNumberGenerator.GetHexString(40, lowercase: true);
            codes[code] = new CodeAuthorization(clientId, SignInAs ?? Q("login_hint"), Q("scope"), redirect, Q("code_challenge"));
            (outcome, reply) = ("ok", Redirect(redirect, ("state", state), ("code", code), ("scope", Q("scope"))));
        }

        Log.Enqueue($"authorize {outcome}");
        return reply;
    }

    private static (int, JsonObject) Redirect(string redirectUri, params (string Name, string Value)[] query) =>
        (302, new JsonObject { ["location"] = redirectUri + "?" + string.Join('&', query.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}")) });

    /// <summary>The authorization_code grant: one use per code, the same client and redirect_uri, and the PKCE verifier (RFC 7636 section 4.6).</summary>
    private (int, JsonObject) CodeToken(IdpRequest request)
    {
        if (!codes.TryRemove(request["code"] ?? "", out CodeAuthorization? c) || c.ClientId != request["client_id"])
            return (400, Error("invalid_grant", "Malformed auth code."));
        if (Clients.TryGetValue(c.ClientId, out IdpClient? client) && client.Secret is { } secret && request["client_secret"] != secret)
            return (401, Error("invalid_client", "Unauthorized"));
        if (request["redirect_uri"] != c.RedirectUri)
            return (400, Error("redirect_uri_mismatch", "Bad Request"));
        string verifier = request["code_verifier"] ?? "";
        string challenge = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (challenge != c.Challenge)
            return (400, Error("invalid_grant", "Invalid code verifier."));
        (int status, JsonObject body) = UserTokens(c.ClientId, c.Email, c.Scope, NewRefreshToken(c.ClientId, c.Email, c.Scope));
        if (!RefreshTokenOnCodeGrant)
            body.Remove("refresh_token");
        return (status, body);
    }

    private (int, JsonObject) ServiceAccount(IdpRequest request)
    {
        string[] parts = (request["assertion"] ?? "").Split('.');
        if (parts.Length != 3)
            return (400, Error("invalid_grant", "Invalid JWT"));
        JsonObject claims = JsonNode.Parse(Convert.FromBase64String(Pad(parts[1])))!.AsObject();
        string iss = claims["iss"]?.ToString() ?? "";
        if (!Clients.TryGetValue(iss, out IdpClient? client) || client.AssertionKey is null || !Verify(client.AssertionKey, parts, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            return (400, Error("invalid_grant", "Invalid JWT Signature."));
        if (claims["aud"]?.ToString() != TokenUri.AbsoluteUri || Seconds(claims["exp"]) < DateTimeOffset.UtcNow.ToUnixTimeSeconds())
            return (400, Error("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."));
        string scope = claims["scope"]?.ToString() ?? "";
        if (scope.Split(' ').Any(s => !client.DelegatedScopes.Contains(s)))
            return (401, Error("unauthorized_client", "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."));
        string user = claims["sub"]?.ToString() ?? "";
        JsonObject access = AccessClaims(bed.OAuthAudience, user, "sa-" + iss, scope, AccessTokenLifetime);
        return (200, TokenReply(Sign(access), scope, null, null, null));
    }

    private (int, JsonObject) UserTokens(string clientId, string email, string scope, string refreshToken)
    {
        (string resource, string permissions) = SplitScopes(scope);
        string oid = "user-" + email;
        JsonObject access = AccessClaims(resource, email, oid, permissions, AccessTokenLifetime);
        access["scp"] = permissions;
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var id = new JsonObject
        {
            ["iss"] = bed.OAuthIssuer, ["aud"] = clientId, ["sub"] = oid, ["oid"] = oid, ["tid"] = Tenant,
            ["preferred_username"] = email, ["name"] = email, ["email"] = email, ["iat"] = now, ["nbf"] = now, ["exp"] = now + 3600, ["ver"] = "2.0",
        };
        string clientInfo = Base64Url($$"""{"uid":"{{oid}}","utid":"{{Tenant}}"}""");
        return (200, TokenReply(Sign(access), scope, refreshToken, Sign(id), clientInfo));
    }

    /// <summary>"https://mail.example.test/mail.access openid offline_access" → ("https://mail.example.test", "mail.access").</summary>
    private static (string Resource, string Permissions) SplitScopes(string scope)
    {
        string[] resourceScopes = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => s.Contains("://", StringComparison.Ordinal)).ToArray();
        string resource = resourceScopes.Length == 0 ? "" : resourceScopes[0][..resourceScopes[0].LastIndexOf('/')];
        return (resource, string.Join(' ', resourceScopes.Select(s => s[(s.LastIndexOf('/') + 1)..])));
    }

    private JsonObject AccessClaims(string audience, string email, string subject, string scope, TimeSpan lifetime)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = bed.OAuthIssuer, ["aud"] = audience, ["sub"] = subject, ["oid"] = subject, ["tid"] = Tenant,
            ["email"] = email, ["scope"] = scope, ["iat"] = now, ["nbf"] = now, ["exp"] = now + (long)(ServerLifetime ?? lifetime).TotalSeconds,
        };
    }

    private JsonObject TokenReply(string accessToken, string scope, string? refreshToken, string? idToken, string? clientInfo)
    {
        var reply = new JsonObject
        {
            ["token_type"] = "Bearer",
            ["scope"] = scope,
            ["expires_in"] = (long)AccessTokenLifetime.TotalSeconds,
            ["ext_expires_in"] = (long)AccessTokenLifetime.TotalSeconds,
            ["access_token"] = accessToken,
        };
        if (refreshToken is not null)
            reply["refresh_token"] = refreshToken;
        if (idToken is not null)
            reply["id_token"] = idToken;
        if (clientInfo is not null)
            reply["client_info"] = clientInfo;
        return reply;
    }

    private string NewRefreshToken(string clientId, string email, string scope)
    {
        string token = "rt." + RandomNumberGenerator.GetHexString(48, lowercase: true);
        refreshTokens[token] = (clientId, email, scope);
        Issued.Enqueue(token);
        return token;
    }

    /// <summary>client_secret (form or Basic) or a private_key_jwt client assertion (RS256 or PS256).</summary>
    private IdpClient? Authenticate(IdpRequest request)
    {
        string? clientId = request["client_id"];
        string? secret = request["client_secret"];
        if (request.Headers.TryGetValue("Authorization", out string? basic) && basic.StartsWith("Basic ", StringComparison.Ordinal))
        {
            string[] pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..])).Split(':', 2);
            (clientId, secret) = (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
        }

        if (request["client_assertion"] is { } assertion)
        {
            string[] parts = assertion.Split('.');
            JsonObject header = JsonNode.Parse(Convert.FromBase64String(Pad(parts[0])))!.AsObject();
            JsonObject claims = JsonNode.Parse(Convert.FromBase64String(Pad(parts[1])))!.AsObject();
            clientId ??= claims["iss"]?.ToString();
            if (clientId is null || !Clients.TryGetValue(clientId, out IdpClient? c) || c.AssertionKey is null || claims["sub"]?.ToString() != clientId)
                return null;
            RSASignaturePadding padding = header["alg"]?.ToString() == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            bool fresh = Seconds(claims["exp"]) > DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            return fresh && Verify(c.AssertionKey, parts, HashAlgorithmName.SHA256, padding) ? c : null;
        }

        return clientId is not null && Clients.TryGetValue(clientId, out IdpClient? client) && client.Secret is not null && client.Secret == secret ? client : null;
    }

    // MSAL writes exp as a JSON string in its client assertions; RFC 7519 says NumericDate. Accept both.
    private static long Seconds(JsonNode? claim) => long.Parse(claim?.ToString() ?? "0");

    private static bool Verify(RSA key, string[] parts, HashAlgorithmName hash, RSASignaturePadding padding) =>
        key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Convert.FromBase64String(Pad(parts[2])), hash, padding);

    private string Sign(JsonObject claims)
    {
        string header = Base64Url($$"""{"alg":"RS256","typ":"JWT","kid":"{{bed.OAuthKeyId}}"}""");
        string input = header + "." + Base64Url(claims.ToJsonString());
        string token = input + "." + System.Buffers.Text.Base64Url.EncodeToString(signingKey.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Issued.Enqueue(token);
        return token;
    }

    private static string Base64Url(string text) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    private static string Pad(string base64Url)
    {
        string s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - (s.Length % 4)) % 4);
    }

    private static JsonObject Error(string error, string description) => new()
    {
        ["error"] = error,
        ["error_description"] = description,
        ["error_codes"] = new JsonArray(),
    };

    private sealed record CodeAuthorization(string ClientId, string Email, string Scope, string RedirectUri, string Challenge);

    private sealed record DeviceAuthorization(string ClientId, string Scope, string DeviceCode, string UserCode)
    {
        public string? ApprovedAs { get; set; }
    }
}
