using System.Security.Cryptography;
using System.Text.Json;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Auth;

/// <summary>
/// Access tokens for a Google Workspace mailbox from a service account with domain-wide delegation: a JWT signed
/// with the account's private key, naming the mailbox as <c>sub</c>, exchanged at the token endpoint
/// (RFC 7523 section 2.1, Google's "OAuth 2.0 for Server to Server Applications"). Written with HttpClient and
/// source-generated JSON instead of Google.Apis.Auth, which is built on reflection-based Newtonsoft.Json and
/// breaks the Native AOT build (IL2026/IL3050). Nothing is stored: the key signs a new assertion every time.
/// </summary>
public sealed class GoogleServiceAccountSource(GoogleServiceAccountOptions options, HttpClient http, TimeProvider clock) : IAccessTokenSource
{
    private static readonly Uri GoogleTokenUri = new("https://oauth2.googleapis.com/token");

    private readonly TokenEndpointClient endpoint = new(http, "Google");

    /// <inheritdoc/>
    public async ValueTask<AccessToken> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        GoogleServiceAccountKey key = await ReadKeyAsync(cancellationToken);
        Uri tokenUri = options.TokenUri ?? (key.TokenUri is { } u ? new Uri(u) : GoogleTokenUri);
        DateTimeOffset now = clock.GetUtcNow();
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(key.PrivateKey);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw MailRecoveryException.Usage($"Google: the private key in {options.KeyFile} cannot be read.", "download a new JSON key for the service account.");
        }

        string assertion = JwtAssertion.Sign(rsa, key.PrivateKeyId, w =>
        {
            w.WriteString("iss", key.ClientEmail);
            w.WriteString("scope", options.Scope);
            w.WriteString("aud", tokenUri.AbsoluteUri);
            w.WriteString("sub", options.User);
            w.WriteNumber("iat", now.ToUnixTimeSeconds());
            w.WriteNumber("exp", (now + options.AssertionLifetime).ToUnixTimeSeconds());
        });
        TokenEndpointReply reply = await endpoint.PostAsync(tokenUri,
        [
            new("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            new("assertion", assertion),
        ], cancellationToken);
        return new AccessToken(reply.AccessToken!, reply.ExpiresIn is { } s ? now.AddSeconds(s) : null);
    }

    private async ValueTask<GoogleServiceAccountKey> ReadKeyAsync(CancellationToken cancellationToken)
    {
        string text = await SecretFileReader.ReadAllAsync(options.KeyFile, "service account key file", cancellationToken);
        GoogleServiceAccountKey? key;
        try
        {
            key = JsonSerializer.Deserialize(text, AuthJsonContext.Default.GoogleServiceAccountKey);
        }
        catch (JsonException)
        {
            key = null;
        }

        if (key is not { Type: "service_account", ClientEmail: not null, PrivateKey: not null })
            throw MailRecoveryException.Usage($"Google: {options.KeyFile} is not a service account key file.", "download the service account's key as JSON (Keys, Add key, JSON) from the Cloud console.");
        return key;
    }
}
