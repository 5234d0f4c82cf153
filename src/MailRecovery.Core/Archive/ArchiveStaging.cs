using System.Security.Cryptography;
using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Archive;

/// <summary>
/// The shared steps of backup and restore: a hidden staging directory beside the destination (same file system,
/// so the last step is one rename), the copy's verification, and the rename into place.
/// </summary>
internal static class ArchiveStaging
{
    /// <summary>A new name beside <paramref name="destination"/>: <c>.NAME.WHAT-RANDOM</c>.</summary>
    public static string NameBeside(string destination, string what)
    {
        string parent = Path.GetDirectoryName(destination)!;
        DurableDirectory.Create(parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Path.Combine(parent, $".{Path.GetFileName(destination)}.{what}-{RandomNumberGenerator.GetHexString(12, lowercase: true)}");
    }

    /// <summary>
    /// Verifies a copy as <c>archive verify</c> does (every row's file, size and SHA-256; every file a row), plus
    /// SQLite's own check of its index and journal.
    /// </summary>
    /// <exception cref="MailRecoveryException">The copy is not sound (Permanent, Archive), naming the first problems.</exception>
    public static async Task<VerifyReport> VerifyAsync(string root, string what, string fix, TimeProvider clock, CancellationToken cancellationToken)
    {
        var layout = new ArchiveLayout(root);
        VerifyReport report;
        using (MessageArchive copy = await MessageArchive.OpenAsync(root, ArchiveAccess.ReadOnly, clock, cancellationToken))
            report = await ArchiveVerifier.VerifyAsync(copy, null, cancellationToken);
        var problems = report.Problems.Select(p => $"{p.Kind}: {p.File}: {p.Detail}").ToList();
        if (!SqliteSnapshot.IsIntact(layout.IndexPath))
            problems.Add("the index fails SQLite's quick_check");
        if (File.Exists(layout.JournalPath) && !SqliteSnapshot.IsIntact(layout.JournalPath))
            problems.Add("the replay journal fails SQLite's quick_check");
        if (problems.Count > 0)
        {
            throw new MailRecoveryException(FailureKind.Permanent, FailureScope.Archive,
                $"{what} is not sound ({problems.Count} problem(s)): {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? "; ..." : string.Empty)}. Nothing was replaced.",
                fix);
        }

        return report;
    }

    /// <summary>Renames the verified staging directory to <paramref name="destination"/> (absent, or an empty directory) and syncs the parent.</summary>
    public static void MoveIntoPlace(string staging, string destination)
    {
        if (Directory.Exists(destination))
            Directory.Delete(destination); // empty, checked before; rename(2) onto a directory is not what .NET offers
        Directory.Move(staging, destination);
        DirectorySync.Sync(Path.GetDirectoryName(destination)!);
    }

    /// <summary>Removes a staging directory after a failure; what cannot be removed stays (a hidden name, harmless).</summary>
    public static void Discard(string staging)
    {
        try
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // left behind: the error that led here is the one to report
        }
    }
}
