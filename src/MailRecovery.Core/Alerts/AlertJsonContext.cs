using System.Text.Json.Serialization;

namespace MailRecovery.Core.Alerts;

/// <summary>Serializers generated at compile time (Native AOT has no reflection-based JSON) for the state file and the webhook bodies.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AlertStateDocument))]
[JsonSerializable(typeof(WebhookBody))]
[JsonSerializable(typeof(SlackBody))]
[JsonSerializable(typeof(NtfyBody))]
internal sealed partial class AlertJsonContext : JsonSerializerContext
{
}
