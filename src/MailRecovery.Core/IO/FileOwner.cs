using System.ComponentModel;
using System.Runtime.InteropServices;

namespace MailRecovery.Core.IO;

/// <summary>
/// Owners of files, which .NET cannot read or set. A backup or restore run as root (sudo, a root timer) would leave
/// a tree owned by root, which the <c>watch</c> service's own user then cannot open ("permission denied" on the
/// next start): what root creates is given to the owner of the archive it copies or replaces.
/// </summary>
public static unsafe partial class FileOwner
{
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxNlinkUidGid = 0x4 | 0x8 | 0x10; // STATX_NLINK | STATX_UID | STATX_GID

    /// <summary>The owner new files should get when this process is root: <paramref name="reference"/>'s; null when not root (its files are its own) or not on Linux.</summary>
    public static (uint Uid, uint Gid)? ForRootLike(string reference)
    {
        if (!OperatingSystem.IsLinux() || GetEffectiveUserId() != 0 || Stat(reference) is not { } s)
            return null;
        return (s.Uid, s.Gid);
    }

    /// <summary>
    /// Gives <paramref name="root"/> and everything under it to <paramref name="owner"/> (links not followed), except
    /// files with more than one name: those are hard links to the files of another archive, whose owner is not ours to change.
    /// </summary>
    /// <exception cref="IOException">lchown failed.</exception>
    public static void GiveTree(string root, (uint Uid, uint Gid) owner)
    {
        Give(root, owner);
        foreach (string entry in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (Stat(entry) is { } s && (s.Nlink <= 1 || Directory.Exists(entry)))
                Give(entry, owner);
        }
    }

    private static void Give(string path, (uint Uid, uint Gid) owner)
    {
        if (LChown(path, owner.Uid, owner.Gid) != 0)
            throw new IOException($"cannot give {path} to uid {owner.Uid}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
    }

    private static (uint Nlink, uint Uid, uint Gid)? Stat(string path)
    {
        // struct statx has one layout on every Linux architecture: stx_nlink, stx_uid, stx_gid are the u32s at 16, 20, 24.
        byte* buffer = stackalloc byte[256];
        if (Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxNlinkUidGid, buffer) != 0)
            return null;
        return (*(uint*)(buffer + 16), *(uint*)(buffer + 20), *(uint*)(buffer + 24));
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LChown(string path, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
