using MailRecovery.Core.Errors;
using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Archive;

/// <summary>
/// The replay journal's failures in its own words. The journal is a local file beside the index: a full disk
/// or a broken file is said as such, never as something about a server, and the fix says what a rerun does
/// (the journal is never rebuilt from the Maildir, so it must not be deleted to get past an error).
/// </summary>
internal static class JournalFailure
{
    /// <summary>SQLite's SQLITE_FULL and SQLITE_IOERR result codes.</summary>
    private const int SqliteFull = 13;
    private const int SqliteIoErr = 10;

    private const string Resumes =
        "run the same replay again: what the journal recorded as delivered is not sent again, and a delivery that was under way is looked for in the target first.";

    public static MailRecoveryException Classify(Exception error, string path) => error switch
    {
        MailRecoveryException known => known,
        _ when IsFull(error) => new(FailureKind.LocalStorage, FailureScope.Archive,
            $"the replay journal {path} cannot be written: the disk is full ({error.Message.TrimEnd('.')}).",
            $"free space on the archive's disk, then {Resumes}", error),
        SqliteException { SqliteErrorCode: SqliteIoErr } or IOException => new(FailureKind.LocalStorage, FailureScope.Archive,
            $"the replay journal {path} cannot be written ({error.Message.TrimEnd('.')}).",
            $"check the archive's disk (a full disk is the usual cause), then {Resumes}", error),
        UnauthorizedAccessException => new(FailureKind.LocalStorage, FailureScope.Archive,
            $"the replay journal {path}: permission denied ({error.Message.TrimEnd('.')}).",
            $"run as the user who owns the archive, or fix the permissions of {Path.GetDirectoryName(path)}, then {Resumes}", error),
        _ => new(FailureKind.Permanent, FailureScope.Archive,
            $"the replay journal {path} is damaged or unreadable ({error.Message.TrimEnd('.')}).",
            "keep a copy of the file and do not delete it: it is the only record of what was delivered, and cannot be rebuilt from the Maildir.", error),
    };

    private static bool IsFull(Exception error) =>
        error is SqliteException { SqliteErrorCode: SqliteFull } || (error is IOException io && ErrorClassifier.IsDiskFull(io));
}
