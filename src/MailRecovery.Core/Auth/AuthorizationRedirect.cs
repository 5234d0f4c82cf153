using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Auth;

/// <summary>
/// What the authorization server sent back to the redirect URI (RFC 6749 section 4.1.2): a code and the state, or an
/// error (section 4.1.2.1). Read from the loopback request or from the address the user pasted; never printed, as
/// the code is a credential until it is redeemed.
/// </summary>
internal sealed record AuthorizationRedirect(string? Code, string? State, string? Error, string? ErrorDescription)
{
    /// <summary>The parameters of a query string ("?code=…&amp;state=…" or without the "?"); null when it holds neither a code nor an error.</summary>
    public static AuthorizationRedirect? FromQuery(string query)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            values.TryAdd(Unescape(kv[0]), kv.Length > 1 ? Unescape(kv[1]) : string.Empty);
        }

        string? Get(string name) => values.TryGetValue(name, out string? v) && v.Length > 0 ? v : null;
        var redirect = new AuthorizationRedirect(Get("code"), Get("state"), Get("error"), Get("error_description"));
        return redirect.Code is null && redirect.Error is null ? null : redirect;
    }

    /// <summary>
    /// What the user pasted: the whole address from the browser's address bar (the page at 127.0.0.1 failed to load
    /// on their computer, but the address holds the code), or just its query.
    /// </summary>
    /// <exception cref="MailRecoveryException">Usage: it holds no code (never echoes the text: it may hold one).</exception>
    public static AuthorizationRedirect FromPasted(string text)
    {
        string trimmed = text.Trim();
        int query = trimmed.IndexOf('?', StringComparison.Ordinal);
        string part = query >= 0 ? trimmed[(query + 1)..] : trimmed;
        int fragment = part.IndexOf('#', StringComparison.Ordinal);
        return FromQuery(fragment >= 0 ? part[..fragment] : part)
            ?? throw MailRecoveryException.Usage("the pasted text is not the redirected address (it has no code= and no error=).",
                "after approving, copy the whole address from the browser's address bar (http://127.0.0.1:…/?state=…&code=…) and paste it on one line.");
    }

    /// <summary>Never the code.</summary>
    public override string ToString() => Error is null ? "authorization redirect (code)" : $"authorization redirect (error {Error})";

    private static string Unescape(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
}
