using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailRecovery.Core.Snapshots;

/// <summary>The manifest's serializer, generated at compile time (the CLI is compiled natively: no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SnapshotManifest))]
internal sealed partial class SnapshotJson : JsonSerializerContext
{
    public static byte[] Write(SnapshotManifest manifest) => JsonSerializer.SerializeToUtf8Bytes(manifest, Default.SnapshotManifest);

    /// <exception cref="JsonException">Not a manifest.</exception>
    public static SnapshotManifest Read(Stream stream) =>
        JsonSerializer.Deserialize(stream, Default.SnapshotManifest) ?? throw new JsonException("the manifest is empty");
}
