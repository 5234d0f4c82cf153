using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Archive;

/// <summary>
/// The exclusive lock on an archive: an flock(2) on <c>mailrecovery/lock</c> (what .NET's FileShare.None is on
/// Linux). The kernel drops it when the process dies, so a crash never leaves a stale lock behind.
/// </summary>
public sealed class ArchiveLock : IDisposable
{
    private readonly FileStream handle;

    private ArchiveLock(FileStream handle) => this.handle = handle;

    /// <exception cref="MailRecoveryException">Another process holds the lock.</exception>
    /// <param name="holder">Who would be holding it, for the message ("a running watch or fetch").</param>
    public static ArchiveLock Acquire(string path, string holder = "a running watch or fetch")
    {
        try
        {
            return new ArchiveLock(new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }));
        }
        catch (IOException e) when (!ErrorClassifier.IsDiskFull(e))
        {
            throw new MailRecoveryException(FailureKind.Usage, FailureScope.Archive,
                $"the archive {Path.GetDirectoryName(Path.GetDirectoryName(path))} is in use by another mailrecovery process ({holder}).",
                "wait for it or stop it first; two at once would race on the same messages.", e);
        }
    }

    public void Dispose() => handle.Dispose();
}
