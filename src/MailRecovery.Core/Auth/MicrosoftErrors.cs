using MailRecovery.Core.Errors;
using Microsoft.Identity.Client;

namespace MailRecovery.Core.Auth;

/// <summary>
/// Turns MSAL's exceptions into <see cref="MailRecoveryException"/>s once, with the fix for the AADSTS codes a
/// mailbox set-up meets. MSAL's messages hold the code and Entra's description, never the secret or a token.
/// </summary>
internal static class MicrosoftErrors
{
    private const int Shown = 400;

    public static MailRecoveryException Classify(MsalException e)
    {
        string text = e.Message.Length > Shown ? e.Message[..Shown] + "…" : e.Message;
        text = text.ReplaceLineEndings(" ");
        if (e is MsalServiceException service && (service.StatusCode >= 500 || service.StatusCode == 429))
            return new MailRecoveryException(FailureKind.Transient, FailureScope.Account, $"Microsoft: the identity platform is unavailable (HTTP {service.StatusCode}): {text}", null, e);
        if (e is MsalClientException { ErrorCode: "request_timeout" or "network_not_available" or "service_not_available" })
            return new MailRecoveryException(FailureKind.Transient, FailureScope.Account, $"Microsoft: cannot reach the identity platform: {text}", "check the network; the next attempt may succeed.", e);
        return new MailRecoveryException(FailureKind.Authentication, FailureScope.Account, $"Microsoft: {text}", FixFor(e), e);
    }

    private static string FixFor(MsalException e)
    {
        string m = e.Message;
        if (m.Contains("AADSTS700082", StringComparison.Ordinal))
            return "the refresh token expired after 90 days without use: sign in again (mailrecovery auth login ACCOUNT -c CONFIG), and run at least monthly.";
        if (m.Contains("AADSTS7000215", StringComparison.Ordinal) || m.Contains("AADSTS7000222", StringComparison.Ordinal))
            return "the client secret is wrong or expired: create a new one under Certificates & secrets and put it in the secret file.";
        if (m.Contains("AADSTS700027", StringComparison.Ordinal))
            return "the certificate is not the one uploaded to the app registration (or it expired): upload its public part under Certificates & secrets.";
        if (m.Contains("AADSTS700016", StringComparison.Ordinal))
            return "no app with this client id in the tenant: check the client id and the tenant id.";
        if (m.Contains("AADSTS90002", StringComparison.Ordinal))
            return "the tenant does not exist: check the tenant id (Entra admin center, Overview).";
        if (m.Contains("AADSTS65001", StringComparison.Ordinal) || m.Contains("AADSTS7000112", StringComparison.Ordinal))
            return "the API permissions are not consented: Grant admin consent in the app registration.";
        if (m.Contains("AADSTS70011", StringComparison.Ordinal) || m.Contains("AADSTS1002012", StringComparison.Ordinal))
            return "the scope is invalid: app-only access uses https://outlook.office365.com/.default.";
        return e is MsalUiRequiredException
            ? "the stored sign-in can no longer be used silently: sign in again (mailrecovery auth login ACCOUNT -c CONFIG)."
            : "check the tenant id, client id and credential of the app registration.";
    }
}
