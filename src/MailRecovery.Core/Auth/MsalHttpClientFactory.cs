using Microsoft.Identity.Client;

namespace MailRecovery.Core.Auth;

/// <summary>Hands MSAL the caller's HttpClient (its proxy and trusted certificates), MSAL's supported way to do so.</summary>
internal sealed class MsalHttpClientFactory(HttpClient http) : IMsalHttpClientFactory
{
    public HttpClient GetHttpClient() => http;
}
