namespace MailRecovery.Core.Auth;

/// <summary>Where an account's access tokens come from (configuration keys <c>tokenFile</c>, <c>tokenCommand</c>, <c>oauth2.provider</c>).</summary>
public enum TokenKind
{
    /// <summary>A file holding the token, re-read on every sign-in (oama, pizauth, imapsync users).</summary>
    TokenFile,

    /// <summary>A command whose standard output is the token (mbsync's PassCmd style).</summary>
    TokenCommand,

    /// <summary>The Microsoft identity platform through MSAL: app-only (secret or certificate) or delegated (a token store).</summary>
    Microsoft,

    /// <summary>Google: a service account with domain-wide delegation, or an installed app's refresh token.</summary>
    Google,
}
