using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Archive;

/// <summary>
/// The primary ledger: what the helpdesk's own (primary) account held at each look of <c>watch</c>, and when each
/// message left it, matched to the archive by <see cref="MessageIdentity"/>. Tables <c>primary_looks</c> (one row
/// per successful look: when, how many waiting) and <c>primary_messages</c> (one row per server message ever seen
/// waiting: first and last look that saw it, the first look that missed it, and the archive file it is).
/// <para>
/// "Waiting" means the helpdesk has not taken it yet: present (POP3, IMAP), and for IMAP neither \Seen nor \Deleted,
/// so that one ledger serves a helpdesk that deletes and one that keeps its mail and reads only unseen messages.
/// A message that is waiting again after it was taken (someone cleared \Seen) is waiting again: its taken time is
/// cleared and set anew when it goes. Only messages seen waiting get a row; a message that arrived and was taken
/// between two looks is placed by its receipt time and the next look (<see cref="Candidates"/>).
/// </para>
/// </summary>
public sealed class PrimaryLedger
{
    private readonly ArchiveIndex index;

    public PrimaryLedger(ArchiveIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        this.index = index;
    }

    /// <summary>The server ids of <paramref name="primary"/> that have a row (seen waiting at some look).</summary>
    public HashSet<string> KnownIds(string primary)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using SqliteCommand cmd = index.Command("SELECT server_id FROM primary_messages WHERE primary_key = $k", ("$k", primary));
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
            ids.Add(r.GetString(0));
        return ids;
    }

    /// <summary>Up to two archive files with this Message-ID: one means the headers identify the message.</summary>
    public IReadOnlyList<string> FilesWithMessageId(string messageId)
    {
        var files = new List<string>(2);
        using SqliteCommand cmd = index.Command("SELECT file FROM messages WHERE message_id = $m ORDER BY file LIMIT 2", ("$m", messageId));
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
            files.Add(r.GetString(0));
        return files;
    }

    /// <summary>An archive file with this fingerprint (the first by name), or null.</summary>
    public string? FileWithFingerprint(string fingerprint)
    {
        using SqliteCommand cmd = index.Command("SELECT file FROM messages WHERE fingerprint = $f ORDER BY file LIMIT 1", ("$f", fingerprint));
        return cmd.ExecuteScalar() as string;
    }

    /// <summary>
    /// Records one successful look in one transaction: the look, every message waiting (new ones with their
    /// identity), and "taken at <paramref name="at"/>" for each message waiting before and not now.
    /// </summary>
    public void RecordLook(string primary, string account, DateTimeOffset at, IReadOnlyCollection<PrimarySighting> waiting)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        long now = at.ToUnixTimeMilliseconds();
        using SqliteTransaction tx = index.BeginTransaction();
        using (SqliteCommand look = index.Command(
            "INSERT OR REPLACE INTO primary_looks(primary_key, account, at_utc, waiting) VALUES($k, $a, $t, $n)",
            ("$k", primary), ("$a", account), ("$t", now), ("$n", (long)waiting.Count)))
        {
            look.Transaction = tx;
            look.ExecuteNonQuery();
        }

        using (SqliteCommand seen = index.Command("""
            INSERT INTO primary_messages(primary_key, server_id, message_id, fingerprint, file, size, first_seen_utc, last_seen_utc, taken_utc)
            VALUES($k, $s, $m, $f, $file, $size, $t, $t, NULL)
            ON CONFLICT(primary_key, server_id) DO UPDATE SET last_seen_utc = excluded.last_seen_utc, taken_utc = NULL,
                file = COALESCE(primary_messages.file, excluded.file)
            """, ("$k", primary), ("$s", null), ("$m", null), ("$f", null), ("$file", null), ("$size", null), ("$t", now)))
        {
            seen.Transaction = tx;
            foreach (PrimarySighting s in waiting)
            {
                seen.Parameters["$s"].Value = s.ServerId;
                seen.Parameters["$m"].Value = (object?)s.MessageId ?? DBNull.Value;
                seen.Parameters["$f"].Value = (object?)s.Fingerprint ?? DBNull.Value;
                seen.Parameters["$file"].Value = (object?)s.File ?? DBNull.Value;
                seen.Parameters["$size"].Value = (object?)s.Size ?? DBNull.Value;
                seen.ExecuteNonQuery();
            }
        }

        // Every row not refreshed above was waiting at an earlier look and is not now: taken between the two.
        using (SqliteCommand taken = index.Command(
            "UPDATE primary_messages SET taken_utc = $t WHERE primary_key = $k AND taken_utc IS NULL AND last_seen_utc < $t",
            ("$k", primary), ("$t", now)))
        {
            taken.Transaction = tx;
            taken.ExecuteNonQuery();
        }

        tx.Commit();
    }

    /// <summary>
    /// Matches rows whose message the archive did not hold yet when it was seen (fetch and look are separate
    /// passes): by fingerprint, or by a Message-ID that now occurs exactly once. Run on every pass.
    /// </summary>
    /// <returns>How many rows are still unmatched (seen in the primary, not (yet) in the archive).</returns>
    public int MatchPending()
    {
        using SqliteCommand cmd = index.Command("""
            UPDATE primary_messages SET file = COALESCE(
                (SELECT m.file FROM messages m WHERE primary_messages.fingerprint IS NOT NULL AND m.fingerprint = primary_messages.fingerprint ORDER BY m.file LIMIT 1),
                (SELECT MIN(m.file) FROM messages m WHERE primary_messages.fingerprint IS NULL AND m.message_id = primary_messages.message_id
                 HAVING COUNT(*) = 1))
            WHERE file IS NULL AND (fingerprint IS NOT NULL OR message_id IS NOT NULL)
            """);
        cmd.ExecuteNonQuery();
        using SqliteCommand left = index.Command("SELECT COUNT(*) FROM primary_messages WHERE file IS NULL");
        return (int)(long)left.ExecuteScalar()!;
    }

    /// <summary>The first look ever made at any primary of this archive, or null when there is no ledger.</summary>
    public DateTimeOffset? FirstLook() => Time("SELECT MIN(at_utc) FROM primary_looks");

    /// <summary>The newest look at any primary, or null.</summary>
    public DateTimeOffset? LastLook() => Time("SELECT MAX(at_utc) FROM primary_looks");

    private DateTimeOffset? Time(string sql)
    {
        using SqliteCommand cmd = index.Command(sql);
        return cmd.ExecuteScalar() is long t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null;
    }

    /// <summary>
    /// The archived messages (probes left out) that the helpdesk may have taken after <paramref name="after"/>, with
    /// what the ledger knows of each; everything else is known to have been taken at or before it. A superset:
    /// a copy still waiting or taken after <paramref name="after"/>, and every message received after the last
    /// look at or before <paramref name="after"/> (those were never seen or seen later). Oldest first by receipt.
    /// Copies are grouped by fingerprint, so a second archived copy of a message shares the first one's facts.
    /// </summary>
    /// <param name="receiptMargin">
    /// How much later than its receipt time a look must be to have been able to see a message: receipt times
    /// have whole seconds (Received:, INTERNALDATE) and come from the mail server's clock, looks from this host's.
    /// A look closer to the receipt than this does not close the bracket of a message it did not see.
    /// </param>
    public List<(ArchivedMessage Message, LedgerFacts Facts)> Candidates(DateTimeOffset after, TimeSpan receiptMargin)
    {
        long t = after.ToUnixTimeMilliseconds();
        long margin = (long)receiptMargin.TotalMilliseconds;
        using SqliteCommand cmd = index.Command($"""
            WITH rows AS (
                SELECT COALESCE(mf.fingerprint, pm.file) AS ident, pm.last_seen_utc, pm.taken_utc
                FROM primary_messages pm JOIN messages mf ON mf.file = pm.file),
            lower AS (SELECT COALESCE(MIN(x), $t) AS at FROM (SELECT MAX(at_utc) AS x FROM primary_looks WHERE at_utc <= $t GROUP BY account))
            SELECT {Columns},
                (SELECT COUNT(*) FROM rows r WHERE r.ident = COALESCE(m.fingerprint, m.file) AND r.taken_utc IS NULL),
                (SELECT r.last_seen_utc FROM rows r WHERE r.ident = COALESCE(m.fingerprint, m.file) AND r.taken_utc IS NOT NULL ORDER BY r.taken_utc DESC LIMIT 1),
                (SELECT MAX(r.taken_utc) FROM rows r WHERE r.ident = COALESCE(m.fingerprint, m.file)),
                (SELECT MIN(l.at_utc) FROM primary_looks l WHERE l.at_utc >= m.received_utc + $margin AND {OwnLooks}),
                (SELECT MAX(l.at_utc) FROM primary_looks l WHERE {OwnLooks})
            FROM messages m
            WHERE m.is_probe = 0 AND (m.received_utc > (SELECT at FROM lower) - $margin
                OR COALESCE(m.fingerprint, m.file) IN (SELECT ident FROM rows WHERE taken_utc IS NULL OR taken_utc > $t))
            ORDER BY m.received_utc, m.file
            """, ("$t", t), ("$margin", margin));
        var list = new List<(ArchivedMessage, LedgerFacts)>();
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
        {
            DateTimeOffset? At(int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));
            DateTimeOffset? lastLook = At(21);
            list.Add((ArchiveIndex.ReadMessage(r), new LedgerFacts(lastLook is not null, (int)r.GetInt64(17), At(18), At(19), At(20), lastLook)));
        }

        return list;
    }

    /// <summary>Per observed primary: the last look, what waited then, the last take and the oldest waiting message.</summary>
    public List<PrimaryState> States()
    {
        using SqliteCommand cmd = index.Command("""
            SELECT l.primary_key, l.account, l.at_utc, l.waiting,
                (SELECT MAX(taken_utc) FROM primary_messages p WHERE p.primary_key = l.primary_key),
                (SELECT MIN(first_seen_utc) FROM primary_messages p WHERE p.primary_key = l.primary_key AND p.taken_utc IS NULL)
            FROM primary_looks l
            WHERE l.at_utc = (SELECT MAX(at_utc) FROM primary_looks x WHERE x.primary_key = l.primary_key)
            ORDER BY l.account, l.primary_key
            """);
        var states = new List<PrimaryState>();
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
        {
            states.Add(new PrimaryState(r.GetString(0), r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), (int)r.GetInt64(3),
                r.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                r.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5))));
        }

        return states;
    }

    /// <summary>The looks of the message's own account(s); a file without fetch state belongs to every observed account.</summary>
    private const string OwnLooks = """
        (l.account IN (SELECT s.account FROM source_messages s WHERE s.file = m.file)
         OR NOT EXISTS (SELECT 1 FROM source_messages s WHERE s.file = m.file))
        """;

    private const string Columns = """
        m.file, m.sha256, m.size, m.message_id, m.received_utc, m.received_source, m.date_utc, m.from_addr, m.to_addrs, m.cc_addrs,
        m.delivered_to, m.x_original_to, m.recipients, m.subject, m.archived_utc, m.is_probe, m.fingerprint
        """;
}
