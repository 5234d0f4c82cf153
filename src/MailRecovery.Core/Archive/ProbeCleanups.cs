using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Table <c>probe_cleanups</c>: per alias probe sent with the helpdesk's account watched, what became of it there
/// (<c>removed</c>, <c>markeddeleted</c>, <c>takenfirst</c>, <c>neverseen</c>, <c>left</c>, <c>failed</c>: the
/// lower-case names of <see cref="Probe.ProbeCleanupOutcome"/>). <c>status</c> counts them, so an admin sees how
/// many probes the helpdesk took before cleanup could, and can tune the schedule or add a filter rule.
/// </summary>
public sealed class ProbeCleanups
{
    private readonly ArchiveIndex index;

    public ProbeCleanups(ArchiveIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        this.index = index;
    }

    public void Record(DateTimeOffset at, string alias, string token, string outcome)
    {
        using SqliteCommand cmd = index.Command(
            "INSERT INTO probe_cleanups(at_utc, alias, token, outcome) VALUES($t, $a, $k, $o)",
            ("$t", at.ToUnixTimeMilliseconds()), ("$a", alias), ("$k", token), ("$o", outcome));
        cmd.ExecuteNonQuery();
    }

    /// <summary>How many probes recorded at or after <paramref name="since"/> had each outcome (outcomes without any are left out).</summary>
    public Dictionary<string, int> CountSince(DateTimeOffset since)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        using (SqliteCommand exists = index.Command("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'probe_cleanups'"))
        {
            if (exists.ExecuteScalar() is null)
                return counts; // an index read without upgrading (immutable, full disk) from before the table
        }

        using SqliteCommand cmd = index.Command(
            "SELECT outcome, COUNT(*) FROM probe_cleanups WHERE at_utc >= $s GROUP BY outcome", ("$s", since.ToUnixTimeMilliseconds()));
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
            counts[r.GetString(0)] = (int)r.GetInt64(1);
        return counts;
    }
}
