using MailRecovery.Core.Replay;
using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Archive;

/// <summary>
/// The durable record of what was delivered where: <c>mailrecovery/replay-journal.sqlite</c> in the archive.
/// Unlike the index it cannot be rebuilt from the Maildir, so it lives in its own file. Every write is its
/// own transaction with synchronous=FULL: an intent is on disk before the delivery starts, and the outcome
/// before the next message. One row per (target, file).
/// </summary>
public sealed class ReplayJournal : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly TimeProvider clock;
    private readonly string path;

    private ReplayJournal(SqliteConnection connection, TimeProvider clock, string path)
    {
        this.connection = connection;
        this.clock = clock;
        this.path = path;
    }

    /// <summary>The journal's schema version (SQLite's <c>user_version</c>); 0 in a journal of the first release, which is version 1.</summary>
    public const int SchemaVersion = 1;

    /// <exception cref="Errors.MailRecoveryException">The journal was written by a newer release (a usage error).</exception>
    /// <exception cref="Errors.MailRecoveryException">The journal cannot be opened or written (<see cref="JournalFailure"/>).</exception>
    public static ReplayJournal Open(string path, TimeProvider clock)
    {
        try
        {
            return OpenUnguarded(path, clock);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw JournalFailure.Classify(e, path);
        }
    }

    private static ReplayJournal OpenUnguarded(string path, TimeProvider clock)
    {
        IO.RegularFile.RefuseLinksOfDatabase(path);
        bool created = !File.Exists(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
        try
        {
            connection.Open();
            return Prepare(connection, path, created, clock);
        }
        catch
        {
            // Not left open: a journal that could not be set up (a full disk) must not hold its files.
            connection.Dispose();
            throw;
        }
    }

    private static ReplayJournal Prepare(SqliteConnection connection, string path, bool created, TimeProvider clock)
    {
        if (created)
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using SqliteCommand version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        if (Convert.ToInt32(version.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) is var found && found > SchemaVersion)
        {
            connection.Dispose();
            throw new Errors.MailRecoveryException(Errors.FailureKind.Usage, Errors.FailureScope.Archive,
                $"{path} was written by a newer release of MailRecovery (journal schema {found}; this release knows up to {SchemaVersion}). Nothing was changed.",
                "run the release that wrote this archive, or a newer one.");
        }

        // Version 1 is the first release's table (which set no user_version): creating it is the whole upgrade.
        using SqliteCommand cmd = connection.CreateCommand();
        cmd.CommandText = $$"""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            PRAGMA user_version={{SchemaVersion}};
            CREATE TABLE IF NOT EXISTS deliveries(
                target TEXT NOT NULL,
                file TEXT NOT NULL,
                state TEXT NOT NULL,
                checkpoint TEXT,
                detail TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                updated_utc INTEGER NOT NULL,
                PRIMARY KEY(target, file));
            """;
        cmd.ExecuteNonQuery();
        if (created)
            IO.DurableDirectory.SyncParentOf(path); // before the first delivery counts: the name of a new journal
        return new ReplayJournal(connection, clock, path);
    }

    /// <summary>Every entry of one target, by file: read once at the start of a run.</summary>
    public Dictionary<string, JournalEntry> Load(string target) => Guard(() => LoadUnguarded(target));

    private Dictionary<string, JournalEntry> LoadUnguarded(string target)
    {
        var entries = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
        using SqliteCommand cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT file, state, checkpoint, detail, attempts, updated_utc FROM deliveries WHERE target = $t";
        cmd.Parameters.AddWithValue("$t", target);
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
        {
            entries[r.GetString(0)] = new JournalEntry(
                Enum.Parse<JournalState>(r.GetString(1)),
                r.IsDBNull(2) ? null : r.GetString(2),
                r.IsDBNull(3) ? null : r.GetString(3),
                r.GetInt32(4),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)));
        }

        return entries;
    }

    /// <summary>Records that <paramref name="file"/> is about to be delivered (durable before returning).</summary>
    public void RecordIntent(string target, string file, string? checkpoint) =>
        Guard(() => Write(target, file, JournalState.Intent, checkpoint, null, attempt: true));

    /// <summary>Records an outcome (durable before returning).</summary>
    public void Record(string target, string file, JournalState state, string? detail = null) =>
        Guard(() => Write(target, file, state, null, detail, attempt: false));

    /// <summary>Records the intents of a whole batch in one durable transaction.</summary>
    public void RecordIntents(string target, IEnumerable<(string File, string? Checkpoint)> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        Guard(() =>
        {
            using SqliteTransaction tx = connection.BeginTransaction();
            foreach (var (file, checkpoint) in items)
                Write(target, file, JournalState.Intent, checkpoint, null, attempt: true, tx);
            tx.Commit();
        });
    }

    /// <summary>Records one outcome for many files in one durable transaction.</summary>
    public void RecordMany(string target, IEnumerable<string> files, JournalState state, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        Guard(() =>
        {
            using SqliteTransaction tx = connection.BeginTransaction();
            foreach (string file in files)
                Write(target, file, state, null, detail, attempt: false, tx);
            tx.Commit();
        });
    }

    public void Dispose() => connection.Dispose();

    /// <summary>Every journal access: SQLite's and the file system's errors become the journal's own (<see cref="JournalFailure"/>).</summary>
    private void Guard(Action action) => Guard(() =>
    {
        action();
        return true;
    });

    private T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw JournalFailure.Classify(e, path);
        }
    }

    private void Write(string target, string file, JournalState state, string? checkpoint, string? detail, bool attempt, SqliteTransaction? tx = null)
    {
        using SqliteCommand cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO deliveries(target, file, state, checkpoint, detail, attempts, updated_utc)
            VALUES($t, $f, $s, $c, $d, $a, $u)
            ON CONFLICT(target, file) DO UPDATE SET state = excluded.state,
                checkpoint = COALESCE(excluded.checkpoint, CASE WHEN excluded.state = 'Intent' THEN NULL ELSE checkpoint END),
                detail = excluded.detail, attempts = attempts + excluded.attempts, updated_utc = excluded.updated_utc
            """;
        cmd.Parameters.AddWithValue("$t", target);
        cmd.Parameters.AddWithValue("$f", file);
        cmd.Parameters.AddWithValue("$s", state.ToString());
        cmd.Parameters.AddWithValue("$c", (object?)checkpoint ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$d", (object?)detail ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$a", attempt ? 1 : 0);
        cmd.Parameters.AddWithValue("$u", clock.GetUtcNow().ToUnixTimeMilliseconds());
        cmd.ExecuteNonQuery();
    }
}
