using System.Globalization;
using System.Runtime.InteropServices;

namespace MailRecovery.Core.IO;

/// <summary>
/// Tells whether some process holds an flock(2) on a file, without taking one: Linux lists every file lock
/// in <c>/proc/locks</c> ("1: FLOCK ADVISORY WRITE pid maj:min:inode 0 EOF"). Trying the lock instead would,
/// for that instant, make a writer starting at the same moment fail with "in use".
/// </summary>
public static partial class FlockObserver
{
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxInode = 0x100;

    /// <returns>True when an FLOCK on the file is listed, false when none is, null when it cannot be told (not Linux, no /proc, no file).</returns>
    /// <remarks>
    /// Matched by device and inode: inode numbers repeat across file systems (a tmpfs counts from 2). Where a
    /// stacked file system reports another device to stat than the one the lock lists, nothing matches, and the
    /// callers fall back to what they do without a writer, never to hiding something.
    /// </remarks>
    public static bool? IsHeld(string path) => IsHeld(path, "/proc/locks");

    internal static bool? IsHeld(string path, string locksFile)
    {
        if (!OperatingSystem.IsLinux() || IdOf(path) is not { } id)
            return null;
        string[] lines;
        try
        {
            lines = File.ReadAllLines(locksFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return lines.Any(line => HoldsFlock(line, id.Major, id.Minor, id.Inode));
    }

    /// <summary>True for a held (not a waiting, "->") FLOCK line on that file; the kernel prints "%02x:%02x:%lu".</summary>
    internal static bool HoldsFlock(string line, uint major, uint minor, ulong inode)
    {
        string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6 || fields[1] != "FLOCK")
            return false;
        string[] id = fields[5].Split(':');
        return id.Length == 3
            && uint.TryParse(id[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint foundMajor) && foundMajor == major
            && uint.TryParse(id[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint foundMinor) && foundMinor == minor
            && ulong.TryParse(id[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong found) && found == inode;
    }

    private static unsafe (uint Major, uint Minor, ulong Inode)? IdOf(string path)
    {
        // struct statx has one layout on every Linux architecture: stx_ino is the u64 at offset 32,
        // stx_dev_major and stx_dev_minor the u32s at 136 and 140 (always filled in).
        byte* buffer = stackalloc byte[256];
        if (Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxInode, buffer) != 0)
            return null;
        return (*(uint*)(buffer + 136), *(uint*)(buffer + 140), *(ulong*)(buffer + 32));
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
