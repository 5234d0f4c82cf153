using System.ComponentModel;
using System.Runtime.InteropServices;

namespace MailRecovery.Core.IO;

/// <summary>
/// fsync(2) of a directory, which .NET does not offer: a rename is durable only once the directory that
/// holds the new name is synced (what Dovecot's maildir code and the Maildir spec rely on).
/// </summary>
public static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux

    /// <summary>Syncs the directory; a no-op on Windows, where NTFS journals renames.</summary>
    /// <exception cref="IOException">open or fsync failed.</exception>
    public static void Sync(string path)
    {
        if (OperatingSystem.IsWindows())
            return;
        int fd = Open(path, ReadOnly | Directory);
        if (fd < 0)
            throw new IOException($"cannot open directory {path} to sync it: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        try
        {
            if (FSync(fd) != 0)
                throw new IOException($"cannot sync directory {path}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
