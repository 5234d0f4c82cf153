using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using MailRecovery.Cli.Alias;
using MailRecovery.Cli.Auth;
using MailRecovery.Cli.Archive;
using MailRecovery.Cli.Config;
using MailRecovery.Cli.Fetch;
using MailRecovery.Cli.Replay;
using MailRecovery.Cli.Snapshot;
using MailRecovery.Cli.Status;

namespace MailRecovery.Cli.Common;

/// <summary>
/// The one JSON style of every --json report: camelCase, indented, nulls omitted. The serializers are generated at
/// compile time (no reflection), so the reports work in the natively compiled build.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorJson))]
[JsonSerializable(typeof(AuthTestJson))]
[JsonSerializable(typeof(FetchJson))]
[JsonSerializable(typeof(ReplayJson))]
[JsonSerializable(typeof(VerifyJson))]
[JsonSerializable(typeof(ReindexJson))]
[JsonSerializable(typeof(RepairJson))]
[JsonSerializable(typeof(BackupJson))]
[JsonSerializable(typeof(RestoreJson))]
[JsonSerializable(typeof(PruneJson))]
[JsonSerializable(typeof(StatusJson))]
[JsonSerializable(typeof(ProbeJson))]
[JsonSerializable(typeof(AuditJson))]
[JsonSerializable(typeof(ConfigCheckJson))]
[JsonSerializable(typeof(SnapshotJson.Create))]
[JsonSerializable(typeof(SnapshotJson.List))]
[JsonSerializable(typeof(SnapshotJson.Verify))]
[JsonSerializable(typeof(SnapshotJson.Restore))]
[JsonSerializable(typeof(SnapshotJson.Check))]
internal sealed partial class JsonOutput : JsonSerializerContext
{
    /// <summary>Serializes one report with the generated serializer of its type.</summary>
    public static string Serialize<T>(T value) =>
        JsonSerializer.Serialize(value, (JsonTypeInfo<T>)Default.GetTypeInfo(typeof(T))!);
}
