using System.Globalization;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Auth.Check;

/// <summary>
/// Explains a refused token sign-in from the token's claims. The server says little: Exchange Online answers every
/// cause with "AUTHENTICATE failed", and Dovecot keeps its reason in its own log. So the claims are compared with what
/// the server wants (<see cref="AuthExpectation"/>); when they look right, what remains is on the provider's side
/// (Exchange: service principal and mailbox permission).
/// </summary>
public static class AuthAdvice
{
    public static IReadOnlyList<string> Explain(TokenClaims claims, AuthExpectation expected, AuthTarget target, MailRecoveryException error, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(error);
        var fixes = new List<string>();
        bool exchange = AuthExpectation.IsExchangeOnline(target.Host);
        if (!claims.IsJwt)
        {
            fixes.Add("the token is not a JWT (Microsoft's tokens for personal accounts and Google's are opaque), so its audience and scopes cannot be read here"
                + (AuthExpectation.IsGmail(target.Host) ? $"; Gmail needs the scope {AuthExpectation.GmailScope}." : "."));
        }

        if (claims.ExpiresOn is { } expiry && expiry <= now)
            fixes.Add($"the token expired at {expiry.ToString("u", CultureInfo.InvariantCulture)}: the token file or command must give a fresh one.");
        if (claims.IsJwt && expected.Audience is { } audience && !claims.IsFor(audience))
        {
            fixes.Add($"the token is for the audience {string.Join(", ", claims.Audience.DefaultIfEmpty("(none)"))}, the server wants {audience}: "
                + (exchange ? $"request the scope {audience}/.default (app-only) or {(expected.Scopes.Count > 0 ? expected.Scopes[0] : "the delegated scope")} (delegated), not Microsoft Graph's." : $"request a token for {audience}."));
        }

        if (claims.IsJwt && expected.Tenant is { } tenant && claims.Tenant is { } tid && !string.Equals(tenant, tid, StringComparison.OrdinalIgnoreCase))
            fixes.Add($"the token is from the tenant {tid}, the account is in {tenant}: use the mailbox's own tenant id (Entra admin center → Overview → Tenant ID).");
        if (claims.IsJwt && claims.Roles.Count > 0 && expected.Roles.Count > 0 && !expected.Roles.Any(claims.Grants))
        {
            fixes.Add($"the app-only token has no {string.Join(" or ", expected.Roles)} role (it has {string.Join(", ", claims.Roles)}): add the application permission "
                + $"{expected.Roles[0]} of Office 365 Exchange Online to the app and grant admin consent.");
        }
        else if (claims.IsJwt && claims.Roles.Count == 0 && expected.Scopes.Count > 0 && !expected.Scopes.Any(claims.Grants))
        {
            fixes.Add($"the token lacks the scope {string.Join(" or ", expected.Scopes)} (it has {string.Join(" ", claims.Scopes.DefaultIfEmpty("none"))}): "
                + (AuthExpectation.IsGmail(target.Host) ? "grant it in the domain-wide delegation (service account) or request it when signing in." : "add it to the requested scopes (and the app's delegated permissions), then sign in again."));
        }

        if (claims.IsJwt && claims.Roles.Count == 0 && claims.User is { } who && target.User is { } named && who.Contains('@', StringComparison.Ordinal)
            && !string.Equals(who, named, StringComparison.OrdinalIgnoreCase))
            fixes.Add($"the token is for {who} but the sign-in names {named}: put the token's user in the URI, or give this user access to that mailbox.");

        if (fixes.Count == 0 && exchange)
        {
            string id = claims.ClientId ?? "<client-id>";
            if (claims.Roles.Count > 0)
            {
                fixes.Add($"register the app's service principal in Exchange: New-ServicePrincipal -AppId {id} -ObjectId <enterprise-app-object-id>.");
                fixes.Add($"give it the mailbox: Add-MailboxPermission -Identity {target.User ?? "<mailbox>"} -User <enterprise-app-object-id> -AccessRights FullAccess (takes up to an hour).");
            }
            else
            {
                fixes.Add($"give the signed-in user the mailbox: Add-MailboxPermission -Identity {target.User ?? "<mailbox>"} -User {claims.User ?? "<user>"} -AccessRights FullAccess.");
            }

            fixes.Add($"make sure {target.Protocol} is on for the mailbox: Set-CASMailbox {target.User ?? "<mailbox>"} -{(target.Protocol == "POP3" ? "Pop" : "Imap")}Enabled $true (SMTP: -SmtpClientAuthenticationDisabled $false).");
        }
        else if (fixes.Count == 0)
        {
            fixes.Add(error.Fix ?? "the token's claims look right: the server's own log says why it refused it (Dovecot: the auth: oauth2 lines).");
        }

        return fixes;
    }
}
