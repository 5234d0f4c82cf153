using System.ComponentModel;
using System.Runtime.InteropServices;

namespace MailRecovery.Core.IO;

/// <summary>
/// link(2), which .NET does not offer. A backup on the archive's own file system hard-links the message files
/// instead of copying them: an archived file is never written again once it is in <c>cur/</c> (a repair, a
/// quarantine and a prune replace or remove it by rename or unlink, which leaves the other name's inode alone),
/// so both names keep the same bytes and the backup costs no space.
/// </summary>
public static partial class HardLink
{
    private const int ErrorCrossDevice = 18; // EXDEV
    private const int ErrorNotPermitted = 1; // EPERM: the file system has no hard links (some FUSE, vfat)
    private const int ErrorNotSupported = 95; // EOPNOTSUPP
    private const int AtCurrentDirectory = -100;

    /// <summary>Makes <paramref name="newPath"/> a second name of <paramref name="existingPath"/> (never following a link at the old name).</summary>
    /// <returns>False when the two paths are on different file systems or the file system has no hard links: copy instead.</returns>
    /// <exception cref="IOException">Any other failure (the new name exists, no permission, the disk is full).</exception>
    public static bool TryCreate(string existingPath, string newPath)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        if (LinkAt(AtCurrentDirectory, existingPath, AtCurrentDirectory, newPath, 0) == 0)
            return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno is ErrorCrossDevice or ErrorNotPermitted or ErrorNotSupported)
            return false;
        throw new IOException($"cannot link {newPath} to {existingPath}: {new Win32Exception(errno).Message}", errno);
    }

    // flags 0: linkat(2) does not follow a symbolic link at the old name (AT_SYMLINK_FOLLOW is not set).
    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkAt(int oldDirFd, string oldPath, int newDirFd, string newPath, int flags);
}
