using System.Text.Json.Serialization;

namespace MailRecovery.Core.Auth;

/// <summary>The members of a Google service account key file (the JSON downloaded from the Cloud console) that signing needs.</summary>
internal sealed record GoogleServiceAccountKey(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("client_email")] string? ClientEmail,
    [property: JsonPropertyName("private_key_id")] string? PrivateKeyId,
    [property: JsonPropertyName("private_key")] string? PrivateKey,
    [property: JsonPropertyName("token_uri")] string? TokenUri);
