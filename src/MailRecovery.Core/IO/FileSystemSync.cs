using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MailRecovery.Core.IO;

/// <summary>
/// syncfs(2) and the file system type (statfs(2) <c>f_type</c>), which .NET does not offer. syncfs writes back and
/// waits for every dirty file of one file system, then flushes the device cache once: for a batch of new files it
/// is one flush instead of one per file. Linux only.
/// </summary>
public static partial class FileSystemSync
{
    /// <summary>
    /// Linux ≥ 5.8: syncfs reports writeback errors of the file system (before, it returned 0 even when data was
    /// lost, so it could not stand in for fsync).
    /// </summary>
    private static readonly Version ErrorsReportedSince = new(5, 8);

    /// <summary>
    /// True when syncfs on this kernel reports write errors. Later kernels also report them; earlier ones do not, and
    /// then only per-file fsync may tell that a file is durable.
    /// </summary>
    public static bool ReportsErrors => OperatingSystem.IsLinux() && Environment.OSVersion.Version >= ErrorsReportedSince;

    /// <summary>
    /// The file system type of <paramref name="path"/> (statfs(2) <c>f_type</c>, e.g. 0xEF53 for ext4), or null when
    /// it cannot be read (not Linux, or statfs failed).
    /// </summary>
    public static long? TypeOf(string path)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        return StatFs(path, out StatFsBuffer buffer) == 0 ? buffer.Type : null;
    }

    /// <summary>
    /// Makes every file of the file system that holds <paramref name="file"/> durable. Reports a write error of the
    /// file system since <paramref name="file"/> was opened (Linux ≥ 5.8, see <see cref="ReportsErrors"/>): pass the
    /// earliest opened file of a batch, so that an error on any of them is seen.
    /// </summary>
    /// <exception cref="IOException">syncfs failed (EIO, ENOSPC, …): treat every file as not durable.</exception>
    public static void Sync(SafeFileHandle file)
    {
        if (SyncFs(file) != 0)
            throw new IOException($"cannot sync the file system: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
    }

    /// <summary>
    /// struct statfs starts with <c>f_type</c> (a long on 64-bit Linux, x86_64 and arm64 alike); the rest (120 bytes
    /// in all) is room the call fills and nobody reads.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct StatFsBuffer
    {
        public long Type;
    }

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatFs(string path, out StatFsBuffer buffer);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(SafeFileHandle fd);
}
