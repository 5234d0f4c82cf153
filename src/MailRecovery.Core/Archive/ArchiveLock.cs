using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;
using Microsoft.Win32.SafeHandles;

namespace MailRecovery.Core.Archive;

/// <summary>
/// The exclusive lock on an archive: an flock(2) on <c>mailrecovery/lock</c> (what .NET's FileShare.None is on
/// Linux). The kernel drops it when the process dies, so a crash never leaves a stale lock behind. The lock
/// file is opened without following links: a link planted at its name is refused, never created through.
/// </summary>
public sealed class ArchiveLock : IDisposable
{
    private readonly SafeFileHandle handle;

    private ArchiveLock(SafeFileHandle handle) => this.handle = handle;

    /// <exception cref="MailRecoveryException">Another process holds the lock, or the lock file is not a regular file.</exception>
    /// <param name="holder">Who would be holding it, for the message ("a running watch or fetch").</param>
    public static ArchiveLock Acquire(string path, string holder = "a running watch or fetch")
    {
        string archive = Path.GetDirectoryName(Path.GetDirectoryName(path))!;
        SafeFileHandle handle;
        try
        {
            handle = RegularFile.OpenOrCreate(path, UnixFileMode.UserRead | UnixFileMode.UserWrite, out _, FileShare.None);
        }
        catch (IOException e) when (e is not NotRegularFileException && !OperatingSystem.IsLinux() && !ErrorClassifier.IsDiskFull(e))
        {
            // Elsewhere FileShare.None is the lock, and a sharing violation is how it says "held".
            throw new MailRecoveryException(FailureKind.Usage, FailureScope.Archive,
                $"the archive {archive} is in use by another mailrecovery process ({holder}).",
                "wait for it or stop it first; two at once would race on the same messages.", e);
        }
        catch (NotRegularFileException e)
        {
            throw new MailRecoveryException(FailureKind.Usage, FailureScope.Archive, $"the archive {archive}: {e.Message}",
                $"remove {path}; it is recreated as a regular file.", e);
        }

        if (!RegularFile.TryLockExclusive(handle))
        {
            handle.Dispose();
            throw new MailRecoveryException(FailureKind.Usage, FailureScope.Archive,
                $"the archive {archive} is in use by another mailrecovery process ({holder}).",
                "wait for it or stop it first; two at once would race on the same messages.");
        }

        return new ArchiveLock(handle);
    }

    public void Dispose() => handle.Dispose();
}
