using System.Security.Cryptography;
using System.Text.Json;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Auth;

/// <summary>
/// Google's installed-app sign-in, once per account (<c>mailrecovery auth login</c>): the authorization-code grant
/// (RFC 6749 section 4.1) with PKCE (RFC 7636) and a loopback redirect (RFC 8252 section 7.3), because Google's
/// device flow does not allow the https://mail.google.com/ scope. <see cref="AuthorizationUri"/> is shown to the
/// user; the redirect arrives at the loopback listener or is pasted (a server without a browser);
/// <see cref="CompleteAsync"/> checks it, redeems the code and stores the refresh token where
/// <see cref="GoogleRefreshTokenSource"/> reads it. The code, the verifier, the secret and the tokens are never shown.
/// </summary>
public sealed class GoogleSignIn : IDisposable
{
    private const string IdentityScopes = "openid email";
    private readonly GoogleRefreshTokenOptions options;
    private readonly TokenEndpointClient endpoint;
    private readonly TimeProvider clock;
    private readonly string? expectedUser;
    private readonly LoopbackRedirectListener listener;
    private readonly Pkce pkce = Pkce.Create();
    private readonly string state = RandomNumberGenerator.GetHexString(32, lowercase: true);

    /// <param name="expectedUser">The account's login name: sent as <c>login_hint</c>, and the Google account signed in must be it.</param>
    /// <param name="port">The loopback port; 0 for an ephemeral one.</param>
    internal GoogleSignIn(GoogleRefreshTokenOptions options, HttpClient http, TimeProvider clock, string? expectedUser, int port)
    {
        this.options = options;
        this.clock = clock;
        this.expectedUser = string.IsNullOrEmpty(expectedUser) ? null : expectedUser;
        endpoint = new TokenEndpointClient(http, "Google");
        listener = new LoopbackRedirectListener(port);
        AuthorizationUri = BuildAuthorizationUri();
    }

    /// <summary>Where the browser goes back to: <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri RedirectUri => listener.RedirectUri;

    /// <summary>The address the user opens (it holds no secret: the client id, the PKCE challenge and the state).</summary>
    public Uri AuthorizationUri { get; }

    /// <summary>The refresh token store the sign-in writes.</summary>
    public string StoreFile => options.StoreFile;

    /// <summary>
    /// Waits for the redirect: at the loopback listener, or (when <paramref name="paste"/> is given) a line the user
    /// pastes, whichever comes first; the state is checked and an error the provider sent is classified.
    /// </summary>
    /// <exception cref="MailRecoveryException">Timed out, state mismatch, access_denied or another error, or a pasted line that is not the address.</exception>
    public async Task<string> ReceiveCodeAsync(TextReader? paste, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, clock);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        Task<AuthorizationRedirect?> loopback = WaitLoopbackAsync(wait.Token);
        Task<AuthorizationRedirect?> pasted = paste is null ? Task.FromResult<AuthorizationRedirect?>(null) : ReadPastedAsync(paste, wait.Token);
        try
        {
            AuthorizationRedirect? redirect = null;
            var pending = new List<Task<AuthorizationRedirect?>> { loopback, pasted };
            while (redirect is null && pending.Count > 0)
            {
                Task<AuthorizationRedirect?> done = await Task.WhenAny(pending);
                pending.Remove(done);
                redirect = await done; // a pasted line that is not the address throws here
            }

            return Check(redirect ?? throw new OperationCanceledException(wait.Token));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new MailRecoveryException(FailureKind.Authentication, FailureScope.Account,
                $"Google: no sign-in arrived within {timeout.TotalMinutes:0.#} minutes.",
                "run auth login again and approve within --timeout; on a server without a browser, add --paste and paste the address the browser ends at, or forward the port with ssh -L.");
        }
        finally
        {
            await wait.CancelAsync();
        }
    }

    /// <summary>
    /// Redeems <paramref name="code"/> (with the PKCE verifier and the client secret), checks that a refresh token
    /// for the mail scope came back for the expected user, and stores it (0600, atomically). Returns who signed in.
    /// </summary>
    public async Task<string> CompleteAsync(string code, CancellationToken cancellationToken)
    {
        string secret = await SecretFileReader.ReadFirstLineAsync(options.ClientSecretFile, "client secret file", cancellationToken);
        TokenEndpointReply reply = await endpoint.PostAsync(options.TokenUri,
        [
            new("grant_type", "authorization_code"),
            new("code", code),
            new("redirect_uri", RedirectUri.AbsoluteUri),
            new("client_id", options.ClientId),
            new("client_secret", secret),
            new("code_verifier", pkce.Verifier),
        ], ExchangeFixes, cancellationToken);

        if (reply.Scope is { } granted && !options.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(s => granted.Split(' ').Contains(s)))
        {
            throw new MailRecoveryException(FailureKind.Authentication, FailureScope.Account,
                $"Google: the sign-in did not grant {options.Scope} (granted: {granted}).",
                "run auth login again and tick the box \"Read, compose, send and permanently delete all your email from Gmail\" on the consent screen.");
        }

        string user = SignedInUser(reply.IdToken);
        if (expectedUser is not null && expectedUser.Contains('@', StringComparison.Ordinal) && user.Contains('@', StringComparison.Ordinal)
            && !string.Equals(user, expectedUser, StringComparison.OrdinalIgnoreCase))
        {
            throw new MailRecoveryException(FailureKind.Authentication, FailureScope.Account,
                $"Google: signed in as {user}, but the account signs in as {expectedUser}; nothing was stored.",
                $"run auth login again and choose {expectedUser} in Google's account chooser (or sign out of {user} in that browser first).");
        }

        if (string.IsNullOrEmpty(reply.RefreshToken))
        {
            throw new MailRecoveryException(FailureKind.Authentication, FailureScope.Account,
                "Google: the sign-in worked but the reply holds no refresh token, so nothing was stored.",
                "Google sends one only with fresh consent: remove MailRecovery's access at https://myaccount.google.com/permissions and run auth login again.");
        }

        await new RefreshTokenStore(options.StoreFile).SaveAsync(new StoredGrant(reply.RefreshToken, clock.GetUtcNow()), cancellationToken);
        return user;
    }

    public void Dispose() => listener.Dispose();

    private static readonly Dictionary<string, string> ExchangeFixes = new(StringComparer.Ordinal)
    {
        ["invalid_grant"] = "the code was already used, is older than a few minutes, or does not match this sign-in's PKCE verifier (an address from another attempt): run auth login again and paste the address of this attempt.",
        ["invalid_client"] = "the client id or the client secret file is wrong: copy both from the Desktop app OAuth client (Google Cloud console, APIs & Services, Credentials).",
    };

    private Uri BuildAuthorizationUri()
    {
        var query = new List<KeyValuePair<string, string>>
        {
            new("client_id", options.ClientId),
            new("redirect_uri", RedirectUri.AbsoluteUri),
            new("response_type", "code"),
            new("scope", options.Scope + " " + IdentityScopes),
            new("code_challenge", pkce.Challenge),
            new("code_challenge_method", Pkce.Method),
            new("state", state),
            new("access_type", "offline"), // a refresh token, not only an access token
            new("prompt", "consent"),      // Google sends the refresh token only when consent is given
        };
        if (expectedUser is not null)
            query.Add(new("login_hint", expectedUser));
        string separator = options.AuthorizationUri.Query.Length > 0 ? "&" : "?";
        return new Uri(options.AuthorizationUri.AbsoluteUri + separator + string.Join('&', query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
    }

    private string Check(AuthorizationRedirect redirect)
    {
        // State first (RFC 6749 section 10.12): an answer to someone else's request is not read any further.
        if (!string.Equals(redirect.State, state, StringComparison.Ordinal))
        {
            throw new MailRecoveryException(FailureKind.Authentication, FailureScope.Account,
                "Google: the redirect does not belong to this sign-in (its state does not match), so it was refused.",
                "run auth login again and use the address it prints this time (not a tab or a pasted address from an earlier attempt).");
        }

        if (redirect.Error is { } error)
        {
            string detail = redirect.ErrorDescription is { } d ? $" ({d.ReplaceLineEndings(" ")})" : string.Empty;
            string fix = error == "access_denied"
                ? "run auth login again and choose Allow; while the consent screen is in Testing, only its test users may sign in (add this account under OAuth consent screen, Test users)."
                : "check the OAuth client (type Desktop app) and the consent screen in the Google Cloud console, then run auth login again.";
            throw new MailRecoveryException(FailureKind.Authentication, FailureScope.Account, $"Google: the sign-in was refused: {error}{detail}.", fix);
        }

        return redirect.Code!;
    }

    private async Task<AuthorizationRedirect?> WaitLoopbackAsync(CancellationToken cancellationToken) =>
        await listener.WaitAsync(state, cancellationToken);

    // Blank lines are skipped; the end of input leaves the loopback listener to answer. Console.In reads
    // synchronously even through ReadLineAsync, so the read runs on its own thread: the wait stays cancellable
    // (Ctrl+C, the timeout, the loopback answering first), and an abandoned read ends with the process.
    private static Task<AuthorizationRedirect?> ReadPastedAsync(TextReader paste, CancellationToken cancellationToken) =>
        Task.Run(() => ReadPastedLineAsync(paste, cancellationToken), cancellationToken);

    private static async Task<AuthorizationRedirect?> ReadPastedLineAsync(TextReader paste, CancellationToken cancellationToken)
    {
        while (await paste.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Trim().Length > 0)
                return AuthorizationRedirect.FromPasted(line);
        }

        return null;
    }

    /// <summary>The id_token's email (Google) or preferred_username; the token's signature is not checked (it came over TLS from the token endpoint, OpenID Connect Core 3.1.3.7).</summary>
    private static string SignedInUser(string? idToken)
    {
        using JsonDocument? payload = idToken is null ? null : JwtClaims.TryReadPayload(idToken);
        if (payload?.RootElement is { ValueKind: JsonValueKind.Object } claims)
        {
            foreach (string name in (string[])["email", "preferred_username", "sub"])
            {
                if (claims.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s)
                    return s;
            }
        }

        return "(a Google account the reply did not name)";
    }
}
