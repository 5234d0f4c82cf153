using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MailRecovery.Core.IO;

/// <summary>
/// Opens files without following a symbolic link in the last path component, and only when they are regular
/// files: what .NET's <see cref="FileStream"/> cannot say (it follows links, and opens FIFOs and devices). A run
/// as root must not read <c>/etc/shadow</c> through a link planted in the archive's <c>cur/</c>, nor append to
/// it through a link planted at an mbox target's name. On Linux this is open(2) with <c>O_NOFOLLOW</c> and a
/// statx(2) of the opened descriptor, so no check-then-open race is left; elsewhere a check before a plain open.
/// </summary>
public static partial class RegularFile
{
    private const int ReadOnly = 0;
    private const int ReadWrite = 2;
    private const int Create = 0x40;
    private const int Exclusive = 0x80;
    private const int NonBlock = 0x800; // a FIFO must not block the open; ignored for regular files
    private const int CloseOnExec = 0x80000;
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxTypeAndMode = 0x3;
    private const int TypeMask = 0xF000;
    private const int TypeRegular = 0x8000;
    private const int TypeDirectory = 0x4000;
    private const int TypeLink = 0xA000;
    private const int ErrorExists = 17;
    private const int ErrorLoop = 40;
    private const int ErrorNoEntry = 2;
    private const int ErrorWouldBlock = 11;

    // O_NOFOLLOW differs between architectures (asm-generic vs x86).
    private static int NoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x8000 : 0x20000;

    /// <summary>What <paramref name="path"/> itself is, a link not followed.</summary>
    public static FileKind KindOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
                return FileKind.SymbolicLink;
            return info.Exists ? FileKind.Regular : Directory.Exists(path) ? FileKind.Directory : FileKind.Missing;
        }

        int mode = Stat(AtCurrentDirectory, path, AtSymlinkNoFollow, out int errno);
        return mode < 0
            ? errno == ErrorNoEntry ? FileKind.Missing : FileKind.Other
            : (mode & TypeMask) switch
            {
                TypeRegular => FileKind.Regular,
                TypeDirectory => FileKind.Directory,
                TypeLink => FileKind.SymbolicLink,
                _ => FileKind.Other,
            };
    }

    /// <summary>True when <paramref name="path"/> is a regular file itself, not a link to one.</summary>
    public static bool Exists(string path) => KindOf(path) == FileKind.Regular;

    /// <summary>Opens a regular file for reading, refusing a symbolic link, a FIFO, a device or a directory.</summary>
    /// <exception cref="IOException">The file is missing, unreadable, a link or not a regular file.</exception>
    public static FileStream OpenRead(string path, int bufferSize = 64 * 1024, bool useAsync = false)
    {
        if (!OperatingSystem.IsLinux())
        {
            RefuseLink(path);
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, useAsync);
        }

        return new FileStream(OpenChecked(path, ReadOnly, 0), FileAccess.Read, bufferSize);
    }

    /// <summary>As <see cref="OpenRead"/>, for <see cref="RandomAccess"/>.</summary>
    /// <exception cref="IOException">The file is missing, unreadable, a link or not a regular file.</exception>
    public static SafeFileHandle OpenReadHandle(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            RefuseLink(path);
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }

        return OpenChecked(path, ReadOnly, 0);
    }

    /// <summary>
    /// Opens a regular file for reading and writing, creating it with <paramref name="createMode"/> when it does
    /// not exist; never through a symbolic link, so a link planted at the name is refused, not written through.
    /// </summary>
    /// <param name="created">True when this call created the file.</param>
    /// <param name="share">Elsewhere than on Linux: the sharing .NET enforces (on Linux, see <see cref="TryLockExclusive"/>).</param>
    /// <exception cref="IOException">The file is a link or not a regular file, or cannot be opened.</exception>
    public static SafeFileHandle OpenOrCreate(string path, UnixFileMode createMode, out bool created, FileShare share = FileShare.Read)
    {
        if (!OperatingSystem.IsLinux())
        {
            RefuseLink(path);
            created = !File.Exists(path);
            return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, share, FileOptions.None, 0);
        }

        // O_CREAT|O_EXCL first: it never follows a link, and it tells whether this call created the file.
        int fd = Open(path, ReadWrite | Create | Exclusive | NoFollow | CloseOnExec | NonBlock, (int)createMode);
        if (fd >= 0)
        {
            created = true;
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno != ErrorExists)
            throw Failure(path, errno);
        created = false;
        return OpenChecked(path, ReadWrite, 0);
    }

    /// <summary>The permission bits of an open file (of the file itself: the handle was opened without following links).</summary>
    public static UnixFileMode PermissionsOf(SafeFileHandle handle) =>
        OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(handle);

    /// <summary>
    /// Takes flock(2) LOCK_EX without waiting, what .NET's FileShare.None does on Linux. Elsewhere a no-op: the
    /// handle was opened with FileShare.None there.
    /// </summary>
    /// <returns>False when another process holds it.</returns>
    public static bool TryLockExclusive(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
            return true;
        const int LockExclusive = 2;
        const int LockNoWait = 4;
        if (Flock((int)handle.DangerousGetHandle(), LockExclusive | LockNoWait) == 0)
            return true;
        int errno = Marshal.GetLastPInvokeError();
        return errno == ErrorWouldBlock ? false : throw new IOException($"cannot lock: {new Win32Exception(errno).Message}");
    }

    /// <summary>Throws when <paramref name="path"/> is a symbolic link or something else that is not a regular file.</summary>
    /// <exception cref="IOException">It is.</exception>
    public static void RefuseLink(string path)
    {
        FileKind kind = KindOf(path);
        if (kind is FileKind.SymbolicLink or FileKind.Other)
            throw NotRegular(path, kind);
    }

    /// <summary>
    /// Refuses a link at an SQLite database's name or at its journal, WAL or shared-memory file's: SQLite opens
    /// and creates them following links.
    /// </summary>
    /// <exception cref="IOException">One of them is a link or not a regular file.</exception>
    public static void RefuseLinksOfDatabase(string path)
    {
        foreach (string suffix in new[] { string.Empty, "-journal", "-wal", "-shm" })
            RefuseLink(path + suffix);
    }

    private static SafeFileHandle OpenChecked(string path, int access, int createMode)
    {
        int fd = Open(path, access | NoFollow | CloseOnExec | NonBlock, createMode);
        if (fd < 0)
            throw Failure(path, Marshal.GetLastPInvokeError());
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        int mode = Stat(fd, string.Empty, AtEmptyPath, out int errno);
        if (mode < 0 || (mode & TypeMask) != TypeRegular)
        {
            handle.Dispose();
            throw mode < 0 ? Failure(path, errno) : NotRegular(path, (mode & TypeMask) == TypeDirectory ? FileKind.Directory : FileKind.Other);
        }

        return handle;
    }

    // The exceptions .NET's own FileStream throws for the same errno, so that callers' catches stay as they are.
    private static Exception Failure(string path, int errno) => errno switch
    {
        ErrorLoop => NotRegular(path, FileKind.SymbolicLink),
        ErrorNoEntry => new FileNotFoundException($"{path} does not exist.", path),
        13 or 1 => new UnauthorizedAccessException($"access to {path} is denied."),
        _ => new IOException($"cannot open {path}: {new Win32Exception(errno).Message}", errno),
    };

    private static NotRegularFileException NotRegular(string path, FileKind kind) =>
        new(path, kind == FileKind.SymbolicLink ? $"{path} is a symbolic link; it is not followed." : $"{path} is not a regular file.");

    /// <summary>statx(2) of a path or descriptor: the st_mode, or -1 with <paramref name="errno"/>.</summary>
    private static unsafe int Stat(int directory, string path, int flags, out int errno)
    {
        // struct statx has one layout on every Linux architecture; stx_mode is the u16 at offset 28.
        byte* buffer = stackalloc byte[256];
        if (Statx(directory, path, flags, StatxTypeAndMode, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return -1;
        }

        errno = 0;
        return *(ushort*)(buffer + 28);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
