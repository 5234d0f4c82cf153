using MailRecovery.Core.Errors;

namespace MailRecovery.Core.IO;

/// <summary>
/// Checks, before anything is created, that a path meant to be a directory (an archive, a Maildir or eml target,
/// the folder of an mbox or zip file) is not a regular file, nor below one. Creating it would fail with "file
/// exists", which reads like a passing disk problem (it was exit 75, "try later"); it is a usage error (exit 2).
/// </summary>
public static class DirectoryPath
{
    /// <param name="path">The directory wanted; it may not exist yet.</param>
    /// <param name="what">What it is for, e.g. "archive" or "target maildir:/srv/x", for the message.</param>
    /// <exception cref="MailRecoveryException">Usage: the path or one of its parents is a file.</exception>
    public static void EnsureNotAFile(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? current = Path.GetFullPath(path);
        while (current is not null)
        {
            if (File.Exists(current))
            {
                string fix = current == Path.GetFullPath(path)
                    ? $"give a directory (it is created when missing), or move {current} away."
                    : $"{current} must be a directory for {path} to be one: choose another path, or move the file away.";
                throw MailRecoveryException.Usage($"{what}: {current} is a file, not a directory.", fix);
            }

            if (Directory.Exists(current))
                return;
            current = Path.GetDirectoryName(current);
        }
    }
}
