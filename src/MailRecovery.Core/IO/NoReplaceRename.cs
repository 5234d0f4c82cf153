using System.Runtime.InteropServices;

namespace MailRecovery.Core.IO;

/// <summary>
/// Moves a file to a name that must not exist yet, in one system call: Linux renameat2(2) with RENAME_NOREPLACE
/// (Linux 3.15, glibc 2.28; ext4, XFS, Btrfs, tmpfs). <see cref="File.Move(string, string, bool)"/> without overwrite
/// costs three lstat(2) path walks besides the rename, and a maildir batch renames every file it stores: in issue 15's
/// profile of a 2,000-message fetch that was 5,946 lstat calls, a fifth of all system calls. The check is atomic here,
/// where File.Move's is a look before the rename.
/// <para>
/// Anywhere the call or the flag is not there (another OS, a FUSE or network file system answering EINVAL or
/// ENOSYS), and after any other failure, File.Move does the work, so every error still surfaces as the same .NET
/// exception as before (an existing name, a full disk, a missing directory).
/// </para>
/// </summary>
internal static partial class NoReplaceRename
{
    private const int AtFdCwd = -100;
    private const uint RenameNoReplace = 1;
    private const int EInval = 22;
    private const int ENoSys = 38;

    /// <summary>Set once renameat2 or its flag turned out to be missing: every later move goes to File.Move.</summary>
    private static volatile bool unsupported = !OperatingSystem.IsLinux();

    /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/>, which must not exist.</summary>
    /// <exception cref="IOException">The destination exists, or the rename failed (from File.Move).</exception>
    public static void Move(string source, string destination)
    {
        if (!unsupported)
        {
            try
            {
                if (RenameAt2(AtFdCwd, source, AtFdCwd, destination, RenameNoReplace) == 0)
                    return;
                if (Marshal.GetLastPInvokeError() is EInval or ENoSys)
                    unsupported = true;
            }
            catch (EntryPointNotFoundException)
            {
                unsupported = true; // a C library older than glibc 2.28, or not glibc
            }
        }

        File.Move(source, destination, overwrite: false);
    }

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);
}
