using System.Text.Json;
using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// A directory of snapshots: <c>STORE/ID/{data.tar[.gz], manifest.json}</c>. A snapshot being written lives in
/// <c>STORE/.ID.partial/</c> and is renamed to <c>STORE/ID</c> only once it is durable and verified, so a name
/// without the dot is always a whole snapshot.
/// </summary>
public sealed class SnapshotStore(string path)
{
    private const string PartialSuffix = ".partial";

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string PathOf(string id) => System.IO.Path.Combine(Path, SnapshotId.Check(id));

    public string PartialPathOf(string id) => System.IO.Path.Combine(Path, "." + id + PartialSuffix);

    /// <summary>Creates the store (0700: it holds the helpdesk's data) unless it exists.</summary>
    public void Create() => DurableDirectory.Create(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    /// <summary>Every snapshot and unfinished create, oldest first.</summary>
    public IReadOnlyList<SnapshotInfo> List()
    {
        if (!Directory.Exists(Path))
            throw MailRecoveryException.Usage($"the snapshot store {Path} does not exist.", "check --store (snapshot create makes it).");
        var found = new List<SnapshotInfo>();
        foreach (string dir in Directory.EnumerateDirectories(Path))
        {
            string name = System.IO.Path.GetFileName(dir);
            if (SnapshotId.IsValid(name))
                found.Add(Inspect(name, dir));
            else if (name.StartsWith('.') && name.EndsWith(PartialSuffix, StringComparison.Ordinal) && SnapshotId.IsValid(name[1..^PartialSuffix.Length]))
                found.Add(new SnapshotInfo(name[1..^PartialSuffix.Length], dir, SnapshotState.Partial, 0, null, "an unfinished create"));
        }

        return [.. found.OrderBy(s => s.Id, StringComparer.Ordinal)];
    }

    /// <summary>The manifest of a complete snapshot.</summary>
    /// <exception cref="MailRecoveryException">Usage: no such snapshot; Permanent: its manifest or data file is damaged.</exception>
    public SnapshotManifest Load(string id)
    {
        string dir = PathOf(id);
        if (!Directory.Exists(dir))
            throw MailRecoveryException.Usage($"there is no snapshot {id} in {Path}.", "list them with 'mailrecovery snapshot list --store " + Path + "'.");
        SnapshotInfo info = Inspect(id, dir);
        return info.State == SnapshotState.Complete ? info.Manifest!
            : throw new MailRecoveryException(FailureKind.Permanent, FailureScope.Run, $"snapshot {id} is damaged: {info.Problem}.", "use another snapshot (snapshot list).");
    }

    private static SnapshotInfo Inspect(string id, string dir)
    {
        SnapshotManifest manifest;
        try
        {
            using FileStream s = RegularFile.OpenRead(System.IO.Path.Combine(dir, SnapshotManifest.FileName));
            manifest = SnapshotJson.Read(s);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return new SnapshotInfo(id, dir, SnapshotState.Damaged, 0, null, "its manifest cannot be read");
        }

        string data = System.IO.Path.Combine(dir, manifest.DataFile);
        if (manifest.Id != id || manifest.DataFile is not ("data.tar" or "data.tar.gz"))
            return new SnapshotInfo(id, dir, SnapshotState.Damaged, 0, manifest, "its manifest names another snapshot");
        long size = RegularFile.Exists(data) ? new FileInfo(data).Length : -1;
        return size == manifest.DataSize
            ? new SnapshotInfo(id, dir, SnapshotState.Complete, size, manifest, null)
            : new SnapshotInfo(id, dir, SnapshotState.Damaged, Math.Max(size, 0), manifest,
                size < 0 ? $"{manifest.DataFile} is missing"
                : size < manifest.DataSize ? $"{manifest.DataFile} is truncated: {size} bytes, the manifest says {manifest.DataSize}"
                : $"{manifest.DataFile} has {size} bytes, the manifest says {manifest.DataSize}");
    }
}
