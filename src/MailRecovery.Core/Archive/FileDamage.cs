using System.Security.Cryptography;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Is an archived file still the bytes the index recorded? Two depths. <see cref="CheapCheckAsync"/> runs on every
/// fetch pass for every file the mailbox links to: a stat (exists, size, mtime), and a SHA-256 only when the mtime
/// is not the receipt time the file was given (every write to a file moves its mtime; our files carry the receipt
/// time, Dovecot's convention). Hashing the whole archive on every pass would read it all every few minutes.
/// Damage that keeps size and mtime (bit rot under the file system) is found by <c>archive verify</c> and
/// <c>archive repair</c>, which hash every file.
/// </summary>
public static class FileDamage
{
    /// <summary>Null when the file looks intact; otherwise what is wrong, and the path of the damaged file if there is one.</summary>
    public static async Task<(string Reason, string? Path)?> CheapCheckAsync(ArchiveLayout layout, ArchivedMessage row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(row);
        string? path = layout.Resolve(row.File);
        if (path is null)
            return ("the file is missing", null);
        var info = new FileInfo(path);
        if (info.Length != row.Size)
            return ($"{info.Length} bytes on disk, {row.Size} recorded", path);
        long mtime = new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero).ToUnixTimeMilliseconds();
        if (mtime == row.Metadata.ReceivedAt.ToUnixTimeMilliseconds())
            return null;
        return await FullCheckAsync(path, row, cancellationToken);
    }

    /// <summary>Hashes the file: null when its SHA-256 is the recorded one.</summary>
    public static async Task<(string Reason, string? Path)?> FullCheckAsync(string path, ArchivedMessage row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        await using FileStream stream = RegularFile.OpenRead(path, 128 * 1024);
        if (stream.Length != row.Size)
            return ($"{stream.Length} bytes on disk, {row.Size} recorded", path);
        string sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        return sha == row.Sha256 ? null : ($"the content changed (SHA-256 {sha}, {row.Sha256} recorded)", path);
    }

    /// <summary>
    /// Moves a damaged file out of the Maildir into <c>mailrecovery/quarantine/</c> (0700), never deleting it: it may
    /// be all that is left of the message. The move is made durable (both directories synced).
    /// </summary>
    /// <returns>The file's new path.</returns>
    public static string Quarantine(ArchiveLayout layout, string path, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(clock);
        string dir = layout.QuarantineDir;
        if (!Directory.Exists(dir))
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            DirectorySync.Sync(layout.DataDir);
        }

        // The moment in the name keeps a second quarantine of the same file from replacing the first.
        string target = System.IO.Path.Combine(dir, $"{System.IO.Path.GetFileName(path)}.{clock.GetUtcNow().ToUnixTimeMilliseconds()}");
        File.Move(path, target, overwrite: false);
        DirectorySync.Sync(dir);
        DirectorySync.Sync(System.IO.Path.GetDirectoryName(path)!);
        return target;
    }
}
