using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Archive;

/// <summary>
/// The SQL of <c>archive prune</c>: which catalogue rows are old enough, and the tombstones (table <c>pruned</c>)
/// that replace them. A tombstone keeps what identifies the message (SHA-256, Message-ID, fingerprint, receipt
/// time) and when it was pruned. It is what tells a file that is waiting to be unlinked (a prune cut short) from
/// a file the index does not know: the start-up scan and <c>archive reindex</c> unlink it instead of adopting it,
/// and <c>archive verify</c> counts it as prune-pending, not damage. The fetch state (<c>source_messages</c>) is
/// left as it is: its links still say "this server message is archived", so a fetch under the keep policy does
/// not download a pruned message again.
/// </summary>
public sealed class PruneLedger
{
    private readonly ArchiveIndex index;

    public PruneLedger(ArchiveIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        this.index = index;
    }

    /// <summary>Catalogue rows received before <paramref name="cutoff"/> (exclusive), oldest first, ties by file name.</summary>
    public List<PrunedMessage> ReceivedBefore(DateTimeOffset cutoff)
    {
        var rows = new List<PrunedMessage>();
        using SqliteCommand cmd = index.Command("""
            SELECT file, message_id, from_addr, subject, received_utc, size FROM messages
            WHERE received_utc < $c ORDER BY received_utc, file
            """, ("$c", cutoff.ToUnixTimeMilliseconds()));
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
        {
            rows.Add(new PrunedMessage(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
                r.IsDBNull(3) ? null : r.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), r.GetInt64(5)));
        }

        return rows;
    }

    /// <summary>
    /// Turns the rows of <paramref name="files"/> into tombstones in one durable transaction, and marks the
    /// <c>cur/</c> stamp so that the next open scans <c>cur/</c> (and so finishes the unlinks if this process
    /// dies before it does them).
    /// </summary>
    public void Commit(IReadOnlyCollection<string> files, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(files);
        EnsureTable();
        using SqliteTransaction tx = index.BeginTransaction();
        using SqliteCommand keep = index.Command("""
            INSERT OR REPLACE INTO pruned(file, sha256, size, message_id, fingerprint, received_utc, pruned_utc)
            SELECT file, sha256, size, message_id, fingerprint, received_utc, $t FROM messages WHERE file = $f
            """, ("$t", at.ToUnixTimeMilliseconds()), ("$f", string.Empty));
        using SqliteCommand drop = index.Command("DELETE FROM messages WHERE file = $f", ("$f", string.Empty));
        keep.Transaction = tx;
        drop.Transaction = tx;
        foreach (string file in files)
        {
            keep.Parameters["$f"].Value = file;
            drop.Parameters["$f"].Value = file;
            keep.ExecuteNonQuery();
            drop.ExecuteNonQuery();
        }

        using SqliteCommand stamp = index.Command(
            "INSERT INTO meta(key, value) VALUES($k, 'pruning') ON CONFLICT(key) DO UPDATE SET value = excluded.value", ("$k", MessageArchive.CurStampKey));
        stamp.Transaction = tx;
        stamp.ExecuteNonQuery();
        tx.Commit();
    }

    /// <summary>The base names of every pruned file.</summary>
    public HashSet<string> Files()
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        if (!TableExists())
            return files;
        using SqliteCommand cmd = index.Command("SELECT file FROM pruned");
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
            files.Add(r.GetString(0));
        return files;
    }

    private bool TableExists()
    {
        using SqliteCommand cmd = index.Command("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'pruned'");
        return cmd.ExecuteScalar() is not null;
    }

    private void EnsureTable()
    {
        using SqliteCommand cmd = index.Command(IndexSchema.PrunedTable);
        cmd.ExecuteNonQuery();
    }
}
