using System.Net;
using System.Text.Json;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Auth;

/// <summary>
/// POSTs a grant to an OAuth2 token endpoint (RFC 6749 section 3.2, form-encoded) and classifies the answer once:
/// a refusal (<c>invalid_grant</c>, <c>unauthorized_client</c>, …) is an authentication failure with a fix, an
/// unreachable or failing endpoint is transient. Messages carry the provider's error code and description,
/// never the form (it holds the secret, the assertion or the refresh token).
/// </summary>
internal sealed class TokenEndpointClient(HttpClient http, string provider)
{
    private const int DescriptionShown = 300;

    /// <summary>The parsed reply, whose <see cref="TokenEndpointReply.AccessToken"/> is set.</summary>
    public Task<TokenEndpointReply> PostAsync(Uri endpoint, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken) =>
        PostAsync(endpoint, form, null, cancellationToken);

    /// <summary>The parsed reply, whose <see cref="TokenEndpointReply.AccessToken"/> is set.</summary>
    /// <param name="fixes">Fixes for error codes that mean something else in this grant (an <c>invalid_grant</c> of a sign-in is not a dead refresh token).</param>
    public async Task<TokenEndpointReply> PostAsync(Uri endpoint, IEnumerable<KeyValuePair<string, string>> form, IReadOnlyDictionary<string, string>? fixes, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        string body;
        try
        {
            using var content = new FormUrlEncodedContent(form);
            response = await http.PostAsync(endpoint, content, cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new MailRecoveryException(FailureKind.Transient, FailureScope.Account,
                $"{provider}: cannot reach the token endpoint {endpoint.GetLeftPart(UriPartial.Path)} ({e.Message}).", "check the network and the endpoint URL; the next attempt may succeed.", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MailRecoveryException(FailureKind.Transient, FailureScope.Account,
                $"{provider}: the token endpoint {endpoint.GetLeftPart(UriPartial.Path)} did not answer in time.", null, e);
        }

        using (response)
        {
            TokenEndpointReply? reply = TryParse(body);
            if (response.IsSuccessStatusCode && !string.IsNullOrEmpty(reply?.AccessToken))
                return reply;
            if (reply?.Error is { } error)
                throw Refused(error, reply.ErrorDescription, fixes);
            FailureKind kind = (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests ? FailureKind.Transient : FailureKind.Authentication;
            throw new MailRecoveryException(kind, FailureScope.Account,
                $"{provider}: the token endpoint answered HTTP {(int)response.StatusCode} without a token.", "check the endpoint URL (tenant, token URI).");
        }
    }

    private MailRecoveryException Refused(string error, string? description, IReadOnlyDictionary<string, string>? fixes)
    {
        string fix = fixes is not null && fixes.TryGetValue(error, out string? special) ? special : error switch
        {
            "invalid_client" => "the client id, secret or certificate is wrong or expired: check them in the app registration.",
            "invalid_grant" => "the refresh token, device code or assertion is no longer valid (expired, revoked, or already used): sign in again.",
            "unauthorized_client" => "the client may not use this grant: for Google, grant domain-wide delegation with this scope; for Microsoft, allow the flow in the app registration.",
            "invalid_scope" => "the scope is wrong or not granted: check the requested scope and the API permissions.",
            "access_denied" or "authorization_declined" => "the sign-in was declined: sign in again and approve.",
            "redirect_uri_mismatch" => "the OAuth client does not accept a loopback redirect: for Google, create an OAuth client of type \"Desktop app\" (not \"Web application\") and use its id and secret.",
            "expired_token" => "the device code expired before the sign-in finished: start again and sign in within the time shown.",
            _ => "check the account's OAuth2 settings.",
        };
        string detail = description is null ? "" : " (" + (description.Length > DescriptionShown ? description[..DescriptionShown] + "…" : description).ReplaceLineEndings(" ") + ")";
        FailureKind kind = error is "temporarily_unavailable" or "server_error" ? FailureKind.Transient : FailureKind.Authentication;
        return new MailRecoveryException(kind, FailureScope.Account, $"{provider}: the token endpoint refused: {error}{detail}.", fix);
    }

    private static TokenEndpointReply? TryParse(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, AuthJsonContext.Default.TokenEndpointReply);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
