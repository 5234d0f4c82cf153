using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Archive;

/// <summary>
/// A consistent copy of a live SQLite database (the index, the replay journal) by SQLite's online backup
/// (sqlite3_backup, all pages in one step, so within one read transaction): it sees one committed state, never a
/// commit half-way, and in WAL mode it does not stop the writer. Copying the files instead could take the
/// database file from one moment and its WAL from another.
/// </summary>
internal static class SqliteSnapshot
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>, which must not exist; created 0600 and fsynced.</summary>
    public static void Copy(string source, string destination)
    {
        IO.RegularFile.RefuseLinksOfDatabase(source);

        // Created first with a private mode: SQLite would create it with the umask's, and it holds addresses and subjects.
        using (new FileStream(destination, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
        }

        using (SqliteConnection from = Connect(source, SqliteOpenMode.ReadOnly))
        using (SqliteConnection to = Connect(destination, SqliteOpenMode.ReadWrite))
        {
            from.BackupDatabase(to);
        }

        // The backup commits through the destination's own journal; closing the last connection checkpoints a WAL.
        // One more fsync makes the file's content durable whatever the destination's settings were.
        using var file = new FileStream(destination, FileMode.Open, FileAccess.ReadWrite);
        file.Flush(flushToDisk: true);
    }

    /// <summary>SQLite's <c>PRAGMA quick_check</c> of a database file, read-only: true when its pages are sound.</summary>
    public static bool IsIntact(string path)
    {
        try
        {
            using SqliteConnection connection = Connect(path, SqliteOpenMode.ReadOnly);
            using SqliteCommand cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA quick_check";
            return cmd.ExecuteScalar() as string == "ok";
        }
        catch (SqliteException e) when (ArchiveIndex.IsCorruption(e))
        {
            return false;
        }
    }

    private static SqliteConnection Connect(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        return connection;
    }
}
