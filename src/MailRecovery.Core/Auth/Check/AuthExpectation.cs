namespace MailRecovery.Core.Auth.Check;

/// <summary>
/// What a server wants in a token, for explaining a refused sign-in: known for Exchange Online and Gmail from the
/// host name; for any other server from what the administrator tells <c>auth test</c> (its Dovecot <c>oauth2</c>
/// settings, for instance).
/// </summary>
/// <param name="Audience">The <c>aud</c> the server accepts; null when unknown.</param>
/// <param name="Tenant">The Microsoft tenant the account belongs to; null when unknown.</param>
/// <param name="Scopes">Delegated scopes, one of which must be granted; empty when unknown.</param>
/// <param name="Roles">Application roles (app-only), one of which must be granted.</param>
public sealed record AuthExpectation(string? Audience, string? Tenant, IReadOnlyList<string> Scopes, IReadOnlyList<string> Roles)
{
    public const string ExchangeAudience = "https://outlook.office365.com";
    public const string GmailScope = "https://mail.google.com/";

    /// <summary>True for Exchange Online's mail hosts.</summary>
    public static bool IsExchangeOnline(string host) =>
        host.EndsWith("office365.com", StringComparison.OrdinalIgnoreCase) || host.EndsWith("outlook.office.com", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for Gmail's mail hosts.</summary>
    public static bool IsGmail(string host) =>
        host.EndsWith("gmail.com", StringComparison.OrdinalIgnoreCase) || host.EndsWith("googlemail.com", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The expectation for <paramref name="protocol"/> at <paramref name="host"/>: Microsoft's and Google's documented
    /// permissions, else <paramref name="given"/> (audience and scope the user named).
    /// </summary>
    public static AuthExpectation For(string protocol, string host, AuthExpectation given)
    {
        ArgumentNullException.ThrowIfNull(given);
        if (IsExchangeOnline(host))
        {
            // learn.microsoft.com "Authenticate an IMAP, POP or SMTP connection using OAuth".
            (string user, string app) = protocol switch
            {
                "POP3" => ("POP.AccessAsUser.All", "POP.AccessAsApp"),
                "SMTP" => ("SMTP.Send", "SMTP.SendAsApp"),
                _ => ("IMAP.AccessAsUser.All", "IMAP.AccessAsApp"),
            };
            return new AuthExpectation(ExchangeAudience, given.Tenant, [$"{ExchangeAudience}/{user}"], [app]);
        }

        return IsGmail(host) ? new AuthExpectation(null, null, [GmailScope], []) : given;
    }
}
