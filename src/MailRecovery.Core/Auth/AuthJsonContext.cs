using System.Text.Json.Serialization;

namespace MailRecovery.Core.Auth;

/// <summary>Source-generated JSON for the auth files and token endpoint replies (Native AOT: no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StoredGrant))]
[JsonSerializable(typeof(TokenEndpointReply))]
[JsonSerializable(typeof(GoogleServiceAccountKey))]
internal sealed partial class AuthJsonContext : JsonSerializerContext;
