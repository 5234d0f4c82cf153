using System.Text.Json.Serialization;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// One file, directory or symbolic link of a snapshot, as it was when it was read. The manifest, not the tar
/// header, is what restore and check set back and compare with.
/// </summary>
/// <param name="Dir">The label of the data directory (<see cref="SnapshotDirectory.Label"/>).</param>
/// <param name="Path">Relative to that directory, '/'-separated; empty for the directory itself.</param>
/// <param name="Size">Bytes of a file; 0 otherwise.</param>
/// <param name="Sha256">Lower-case hex of the bytes in the tar; null for directories and links.</param>
/// <param name="Mode">Octal permission bits including set-id and sticky, e.g. "0640".</param>
/// <param name="Mtime">UTC, to 100 ns.</param>
public sealed record ManifestEntry(
    string Dir,
    string Path,
    [property: JsonConverter(typeof(JsonStringEnumConverter<EntryType>))] EntryType Type,
    long Size,
    string? Sha256,
    string? LinkTarget,
    uint Uid,
    uint Gid,
    string User,
    string Group,
    string Mode,
    DateTimeOffset Mtime)
{
    /// <summary>The name of this entry in the tar: <c>label/path</c>, a directory with a trailing '/'.</summary>
    [JsonIgnore]
    public string TarName => Path.Length == 0 ? Dir + "/" : Type == EntryType.Directory ? $"{Dir}/{Path}/" : $"{Dir}/{Path}";

    /// <summary>The numeric mode.</summary>
    [JsonIgnore]
    public UnixFileMode UnixMode => (UnixFileMode)Convert.ToInt32(Mode, 8);

    public static string OctalMode(int mode) => "0" + Convert.ToString(mode & 0xFFF, 8).PadLeft(3, '0');
}
