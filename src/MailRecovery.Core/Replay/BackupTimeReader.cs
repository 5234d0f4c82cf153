using System.Formats.Tar;
using System.IO.Compression;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Replay;

/// <summary>
/// Finds when a backup was taken: the newest modification time of a regular file in it. A directory (the
/// restored data) is walked; a <c>.tar</c>, <c>.tar.gz</c>/<c>.tgz</c> or <c>.zip</c> is read member by member
/// from its headers, streamed, without extracting anything. The archive file's own time is the end of the
/// backup run, not the state it holds: mail pulled while the backup ran is not in it, so that time would start
/// the window too late and lose that mail.
/// </summary>
public static class BackupTimeReader
{
    /// <param name="zone">The zone a zip's member times are read in (zip stores a wall-clock time without zone).</param>
    /// <exception cref="MailRecoveryException">A usage error: nothing there, no files in it, or an unreadable archive.</exception>
    public static BackupStart Find(string path, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (Directory.Exists(path))
            return FromDirectory(path);
        if (!File.Exists(path))
            throw MailRecoveryException.Usage($"--since-backup {path} does not exist.", "give the restored data directory, or the backup's .tar, .tar.gz or .zip.");
        string name = path.ToLowerInvariant();
        try
        {
            if (name.EndsWith(".tar", StringComparison.Ordinal))
                return FromTar(path, compressed: false);
            if (name.EndsWith(".tar.gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal))
                return FromTar(path, compressed: true);
            if (name.EndsWith(".zip", StringComparison.Ordinal))
                return FromZip(path, zone);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new MailRecoveryException(FailureKind.Usage, FailureScope.Run, $"--since-backup {path} is not a readable archive ({e.Message}).", "give the restored data directory instead, or check the file is complete.", e);
        }

        // Any other single file of the backup: its own time.
        return new BackupStart(FloorToSecond(new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero)), path);
    }

    private static BackupStart FromDirectory(string path)
    {
        DateTime newest = DateTime.MinValue;
        string? setBy = null;
        foreach (string file in Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            DateTime m = File.GetLastWriteTimeUtc(file);
            if (m > newest)
                (newest, setBy) = (m, file);
        }

        return setBy is null
            ? throw MailRecoveryException.Usage($"--since-backup {path} contains no files.", "give the directory the backup was restored into.")
            : new BackupStart(FloorToSecond(new DateTimeOffset(newest, TimeSpan.Zero)), setBy);
    }

    private static BackupStart FromTar(string path, bool compressed)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 128 * 1024, FileOptions.SequentialScan);
        using Stream stream = compressed ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new TarReader(stream);
        DateTimeOffset newest = DateTimeOffset.MinValue;
        string? setBy = null;

        // copyData: false leaves each member's data in the stream; the next call skips over it (streamed).
        while (reader.GetNextEntry(copyData: false) is TarEntry entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
                continue; // directories get touched by later additions; only files tell the state
            if (entry.ModificationTime > newest)
                (newest, setBy) = (entry.ModificationTime, entry.Name);
        }

        return setBy is null
            ? throw MailRecoveryException.Usage($"--since-backup {path} holds no files.", "give the backup that holds the helpdesk's data.")
            : new BackupStart(FloorToSecond(newest.ToUniversalTime()), $"{path}: {setBy}");
    }

    private static BackupStart FromZip(string path, TimeZoneInfo zone)
    {
        using ZipArchive zip = ZipFile.OpenRead(path); // reads the central directory only
        DateTime newest = DateTime.MinValue;
        string? setBy = null;
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            if (entry.FullName.EndsWith('/'))
                continue;
            DateTime wallClock = entry.LastWriteTime.DateTime; // the DOS time as written: no zone
            if (wallClock > newest)
                (newest, setBy) = (wallClock, entry.FullName);
        }

        if (setBy is null)
            throw MailRecoveryException.Usage($"--since-backup {path} holds no files.", "give the backup that holds the helpdesk's data.");

        // A zip time is a wall-clock time in steps of 2 s (writers round either way), read in --tz; an
        // ambiguous hour takes the earlier instant. Start 2 s earlier: a message offered twice is better
        // than one lost.
        DateTime local = DateTime.SpecifyKind(newest, DateTimeKind.Unspecified);
        TimeSpan offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        var time = new DateTimeOffset(local, offset).ToUniversalTime().AddSeconds(-2);
        return new BackupStart(FloorToSecond(time), $"{path}: {setBy}");
    }

    /// <summary>
    /// Receipt times come from Received: headers, which have whole seconds; a file time has nanoseconds. A
    /// message received in the backup's own second must not fall before the window, so the window starts at the
    /// whole second: at worst a message of that second is offered to the target twice, never lost.
    /// </summary>
    private static DateTimeOffset FloorToSecond(DateTimeOffset t) => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond));
}
