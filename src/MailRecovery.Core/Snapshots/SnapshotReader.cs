using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// Reads a snapshot's data file against its manifest, every byte: each entry's type and each file's size and
/// SHA-256, no entry missing or extra, and the whole file's SHA-256 (so even a changed byte in tar padding
/// shows). With staging directories it also unpacks the chosen data directories while it reads (restore); what
/// it unpacks is trusted only when <see cref="ReadAsync"/> reports no problem.
/// </summary>
internal static class SnapshotReader
{
    /// <param name="staging">Label → the directory to unpack that data directory into (already created); null: verify only.</param>
    /// <returns>The problems found; empty when the data file matches the manifest.</returns>
    public static async Task<List<string>> ReadAsync(string snapshotDir, SnapshotManifest manifest, IReadOnlyDictionary<string, string>? staging, SnapshotProgress? progress, CancellationToken ct)
    {
        var problems = new List<string>();
        var expected = manifest.Entries.ToDictionary(e => e.TarName, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string dataPath = Path.Combine(snapshotDir, manifest.DataFile);
        await using var hashing = new HashingStream(RegularFile.OpenRead(dataPath, 1 << 16, useAsync: true));
        try
        {
            await using Stream unpacked = manifest.DataFile.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(hashing, CompressionMode.Decompress, leaveOpen: true) : hashing;
            await using var tar = new TarReader(unpacked, leaveOpen: true);
            long bytes = 0;
            while (await tar.GetNextEntryAsync(copyData: false, ct) is { } entry)
            {
                if (!expected.TryGetValue(entry.Name, out ManifestEntry? m) || !seen.Add(entry.Name))
                {
                    problems.Add($"{entry.Name}: in the data file but not in the manifest");
                    continue;
                }

                if (TypeOf(entry.EntryType) != m.Type || (m.Type == EntryType.Symlink && entry.LinkName != m.LinkTarget))
                {
                    problems.Add($"{entry.Name}: a {TypeOf(entry.EntryType)} in the data file, a {m.Type} in the manifest");
                    continue;
                }

                string? into = staging is not null && staging.TryGetValue(m.Dir, out string? root) ? Target(root, m) : null;
                if (m.Type == EntryType.File)
                    problems.AddRange(await CheckFileAsync(entry.DataStream, m, into, ct));
                else if (into is not null && m.Type == EntryType.Directory && m.Path.Length > 0)
                    Directory.CreateDirectory(into, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                else if (into is not null && m.Type == EntryType.Symlink)
                    File.CreateSymbolicLink(into, m.LinkTarget!);
                bytes += m.Size;
                if (progress is not null && seen.Count % 5000 == 0)
                    progress(seen.Count, bytes);
            }

            // The tar's end blocks are read; the rest (record padding, the gzip trailer) still counts for the file hash.
            await hashing.DrainAsync(ct);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or ArgumentException)
        {
            problems.Add($"{manifest.DataFile} is truncated or damaged: {e.Message}");
            return problems;
        }

        foreach (ManifestEntry m in manifest.Entries.Where(m => !seen.Contains(m.TarName)))
            problems.Add($"{m.TarName}: in the manifest but not in the data file");
        if (hashing.Count != manifest.DataSize || hashing.HexHash() != manifest.DataSha256)
            problems.Add($"{manifest.DataFile}: {hashing.Count} bytes with another SHA-256 than the manifest's ({manifest.DataSize} bytes): the file was changed after it was written");
        return problems;
    }

    private static async Task<IEnumerable<string>> CheckFileAsync(Stream? data, ManifestEntry m, string? into, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        FileStream? output = into is null ? null
            : new FileStream(into, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite, Options = FileOptions.Asynchronous });
        await using (output)
        {
            if (data is not null)
            {
                byte[] buffer = new byte[81920];
                int n;
                while ((n = await data.ReadAsync(buffer, ct)) > 0)
                {
                    sha.AppendData(buffer, 0, n);
                    length += n;
                    if (output is not null)
                        await output.WriteAsync(buffer.AsMemory(0, n), ct);
                }
            }

            // Not fsynced one by one: restore syncs the staging file system once, before the swap.
        }

        string hash = Convert.ToHexStringLower(sha.GetCurrentHash());
        return length != m.Size ? [$"{m.TarName}: {length} bytes, the manifest says {m.Size}"]
            : hash != m.Sha256 ? [$"{m.TarName}: the content differs from the manifest (SHA-256)"]
            : [];
    }

    /// <summary>
    /// Where an entry goes in its staging directory. The manifest's paths come from a walk that never entered a
    /// link, but a store can be tampered with: ".." and absolute paths are refused, and every parent must be a
    /// directory of the manifest (created before, since directories come first), so nothing is written through a link.
    /// </summary>
    private static string Target(string root, ManifestEntry m)
    {
        if (m.Path.Length == 0)
            return root;
        string[] parts = m.Path.Split('/');
        if (m.Path.StartsWith('/') || parts.Any(p => p is "" or "." or ".."))
            throw new InvalidDataException($"the manifest entry '{m.TarName}' is not a plain relative path");
        string target = Path.Combine([root, .. parts]);
        string parent = Path.GetDirectoryName(target)!;
        if (UnixFiles.Lstat(parent) is not { Type: EntryType.Directory })
            throw new InvalidDataException($"the parent of '{m.TarName}' is not a directory of the snapshot");
        return target;
    }

    private static EntryType TypeOf(TarEntryType t) => t switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile => EntryType.File,
        TarEntryType.Directory => EntryType.Directory,
        TarEntryType.SymbolicLink => EntryType.Symlink,
        _ => EntryType.Other,
    };
}
