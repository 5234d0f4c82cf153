namespace MailRecovery.Core.Protocols;

/// <summary>Sign in with an OAuth2 access token (SASL XOAUTH2, else OAUTHBEARER RFC 7628) from <paramref name="Source"/>.</summary>
public sealed record TokenCredential(IAccessTokenSource Source) : Credential;
