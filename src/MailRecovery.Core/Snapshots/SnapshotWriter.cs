using System.Formats.Tar;
using System.IO.Compression;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// Writes the data directories into one POSIX (pax) tar, optionally gzipped, that GNU tar reads as it is: owner
/// and group by number and name, mode, mtime, directories and symbolic links (as links). Each file is hashed as it
/// is read and checked for changes (size and mtime before and after); the result is the manifest's entries.
/// </summary>
internal sealed class SnapshotWriter(UnixAccounts accounts, SnapshotProgress? progress)
{
    private const long ProgressBytes = 64L << 20;
    private const int ProgressEntries = 5000;

    public List<ManifestEntry> Entries { get; } = [];

    /// <summary>Files that changed or vanished while they were read; other entries not copied.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The number of files that changed or vanished during the read (a subset of <see cref="Warnings"/>).</summary>
    public int Changed { get; private set; }

    /// <summary>Writes <paramref name="file"/> (created, never overwritten) and fsyncs it.</summary>
    /// <returns>The data file's size and SHA-256.</returns>
    public async Task<(long Size, string Sha256)> WriteAsync(string file, IReadOnlyList<SnapshotDirectory> dirs, bool compress, CancellationToken ct)
    {
        await using var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using (var hashing = new HashingStream(output, leaveOpen: true))
        {
            await using (Stream packed = compress ? new GZipStream(hashing, CompressionLevel.Fastest, leaveOpen: true) : hashing)
            {
                await using var tar = new TarWriter(packed, TarEntryFormat.Pax, leaveOpen: true);
                long bytes = 0, next = ProgressBytes;
                foreach (SnapshotDirectory dir in dirs)
                {
                    foreach (TreeWalker.Item item in TreeWalker.Walk(dir.Path))
                    {
                        ct.ThrowIfCancellationRequested();
                        ManifestEntry? entry = await WriteEntryAsync(tar, dir.Label, item, ct);
                        if (entry is null)
                            continue;
                        Entries.Add(entry);
                        bytes += entry.Size;
                        if (progress is not null && (Entries.Count % ProgressEntries == 0 || bytes >= next))
                        {
                            progress(Entries.Count, bytes);
                            next = bytes + ProgressBytes;
                        }
                    }
                }
            }

            // Order is important: the gzip trailer and the tar's end blocks are in the file before it is synced.
            await output.FlushAsync(ct);
            output.Flush(flushToDisk: true);
            return (hashing.Count, hashing.HexHash());
        }
    }

    private async Task<ManifestEntry?> WriteEntryAsync(TarWriter tar, string label, TreeWalker.Item item, CancellationToken ct)
    {
        FileFacts f = item.Facts;
        string shown = $"{label}/{item.RelativePath}";
        if (f.Type == EntryType.Other)
        {
            Warnings.Add($"not copied: {shown} is a FIFO, socket or device");
            return null;
        }

        TarEntryType type = f.Type switch
        {
            EntryType.Directory => TarEntryType.Directory,
            EntryType.Symlink => TarEntryType.SymbolicLink,
            _ => TarEntryType.RegularFile,
        };

        var manifest = new ManifestEntry(label, item.RelativePath, f.Type, 0, null, null, f.Uid, f.Gid, accounts.User(f.Uid), accounts.Group(f.Gid), ManifestEntry.OctalMode(f.Mode), f.Modified);
        var entry = new PaxTarEntry(type, manifest.TarName)
        {
            Uid = unchecked((int)f.Uid),
            Gid = unchecked((int)f.Gid),
            UserName = manifest.User,
            GroupName = manifest.Group,
            Mode = (UnixFileMode)f.Mode,
            ModificationTime = f.Modified,
        };
        if (f.Type == EntryType.Symlink)
        {
            string target = new FileInfo(item.FullPath).LinkTarget ?? string.Empty;
            entry.LinkName = target;
            await tar.WriteEntryAsync(entry, ct);
            return manifest with { LinkTarget = target };
        }

        if (f.Type == EntryType.Directory)
        {
            await tar.WriteEntryAsync(entry, ct);
            return manifest;
        }

        FixedLengthFileStream content;
        try
        {
            content = new FixedLengthFileStream(RegularFile.OpenRead(item.FullPath), f.Size);
        }
        catch (IOException) when (UnixFiles.Lstat(item.FullPath) is not { Type: EntryType.File })
        {
            Changed++;
            Warnings.Add($"changed during the copy: {shown} vanished or was replaced before it was read (not in the snapshot)");
            return null;
        }

        using (content)
        {
            entry.DataStream = content;
            await tar.WriteEntryAsync(entry, ct);
            FileFacts? after = UnixFiles.Lstat(item.FullPath);
            if (content.ReadShort || after is null || after.Size != f.Size || after.Modified != f.Modified)
            {
                Changed++;
                Warnings.Add($"changed during the copy: {shown} (size {f.Size} → {after?.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "gone"}): the snapshot holds what was read, which may be half-written");
            }

            return manifest with { Size = f.Size, Sha256 = content.HexHash() };
        }
    }
}
