using MailRecovery.Core.Replay;
using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Archive;

/// <summary>
/// How many entries of the replay journal stand in each <see cref="JournalState"/>, over all targets: what the
/// replays run so far achieved, read by <c>watch --metrics</c> at each scrape (replay is another process, so its
/// journal is the one place that knows). Read-only: a missing journal is not created, it counts nothing.
/// </summary>
public static class JournalTally
{
    /// <summary>Every state, with zero for the states no entry is in.</summary>
    /// <exception cref="SqliteException">The journal cannot be read (damaged, or a newer schema).</exception>
    public static IReadOnlyDictionary<JournalState, long> Read(string journalPath)
    {
        var counts = Enum.GetValues<JournalState>().ToDictionary(s => s, _ => 0L);
        if (!File.Exists(journalPath))
            return counts;
        IO.RegularFile.RefuseLinksOfDatabase(journalPath);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = journalPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 5 }.ToString());
        connection.Open();
        using SqliteCommand cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT state, COUNT(*) FROM deliveries GROUP BY state";
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
        {
            // A state this release does not know (a newer one wrote the journal) is left out, not guessed at.
            if (Enum.TryParse(r.GetString(0), out JournalState state))
                counts[state] = r.GetInt64(1);
        }

        return counts;
    }
}
