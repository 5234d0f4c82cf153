using System.ComponentModel;
using System.Runtime.InteropServices;

namespace MailRecovery.Core.Snapshots;

/// <summary>
/// lstat(2) (as statx) and lchown(2), which .NET does not offer: a snapshot records and restores owner and group
/// exactly, and never follows a symbolic link (a link planted in the helpdesk's data must not make a run as root
/// read or chown what it points to). Linux only, like the rest of the snapshot feature.
/// </summary>
public static partial class UnixFiles
{
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint BasicStats = 0x7ff;
    private const int ErrorNoEntry = 2;

    /// <summary>What <paramref name="path"/> itself is (a link not followed), or null when it does not exist.</summary>
    /// <exception cref="IOException">statx failed for another reason (permission, I/O).</exception>
    public static unsafe FileFacts? Lstat(string path)
    {
        // struct statx has one layout on every Linux architecture: uid u32 at 20, gid u32 at 24, mode u16 at 28,
        // size u64 at 40, mtime {i64 sec, u32 nsec} at 112, ctime at 96, dev major/minor u32 at 136/140.
        byte* b = stackalloc byte[256];
        if (Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, BasicStats, b) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == ErrorNoEntry)
                return null;
            throw new IOException($"cannot read the owner and mode of {path}: {new Win32Exception(errno).Message}");
        }

        int mode = *(ushort*)(b + 28);
        return new FileFacts(
            TypeOf(mode),
            *(uint*)(b + 20),
            *(uint*)(b + 24),
            mode & 0xFFF,
            *(long*)(b + 40),
            Time(b + 112),
            Time(b + 96))
        {
            Device = ((ulong)*(uint*)(b + 136) << 32) | *(uint*)(b + 140),
        };
    }

    /// <summary>Sets owner and group of <paramref name="path"/> itself (a link is not followed).</summary>
    /// <exception cref="IOException">lchown failed (not root, or the file is gone).</exception>
    public static void Lchown(string path, uint uid, uint gid)
    {
        if (LchownNative(path, uid, gid) != 0)
            throw new IOException($"cannot set the owner of {path} to {uid}:{gid}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
    }

    /// <summary>
    /// syncfs(2): everything written on the file system that holds <paramref name="path"/> reaches the disk, data
    /// and metadata (new names, owners, modes, times) alike. One call instead of one fsync per restored file: a
    /// 10,000-file restore took 24 s with per-file fsyncs.
    /// </summary>
    /// <exception cref="IOException">The directory cannot be opened or the sync failed.</exception>
    public static void SyncFileSystem(string path)
    {
        int fd = Open(path, 0x10000); // O_RDONLY | O_DIRECTORY
        if (fd < 0)
            throw new IOException($"cannot open {path} to sync it: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        try
        {
            if (SyncFs(fd) != 0)
                throw new IOException($"cannot sync the file system of {path}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static unsafe DateTimeOffset Time(byte* at)
    {
        long seconds = *(long*)at;
        uint nanoseconds = *(uint*)(at + 8);
        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds / 100);
    }

    private static EntryType TypeOf(int mode) => (mode & 0xF000) switch
    {
        0x8000 => EntryType.File,
        0x4000 => EntryType.Directory,
        0xA000 => EntryType.Symlink,
        _ => EntryType.Other,
    };

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LchownNative(string path, uint uid, uint gid);
}
