namespace MailRecovery.Tests.TestBed.OAuth;

/// <summary>Every way issue 13 lets an account get its access token (the "Done when" matrix's rows).</summary>
public enum TokenProvider
{
    TokenFile,
    TokenCommand,
    MicrosoftAppSecret,
    MicrosoftAppCertificate,
    MicrosoftDelegated,
    GoogleServiceAccount,
    GoogleRefreshToken,
}
