using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Archive;

/// <summary>
/// The SQLite index beside the Maildir. Two kinds of data live here:
/// the <b>catalogue</b> (table <c>messages</c>: one row per file, everything read from the file), which
/// <see cref="ArchiveReindexer"/> rebuilds from the Maildir alone, and the <b>fetch state</b> (table
/// <c>source_messages</c>: which server message is which file), which when lost is re-learnt on the next fetch
/// by content hash: everything is downloaded once more but stored once. WAL with synchronous=FULL: a commit
/// returns only once it is on disk. Times are Unix milliseconds, UTC.
/// </summary>
public sealed class ArchiveIndex : IDisposable
{
    private readonly SqliteConnection connection;

    private ArchiveIndex(SqliteConnection connection) => this.connection = connection;

    /// <summary>
    /// Opens the index, upgrading one written by an older release in place (<see cref="IndexSchema"/>; a
    /// read-only open upgrades through a short write connection first, so that every reader sees the current
    /// columns). An index from a newer release is refused, unchanged.
    /// </summary>
    /// <exception cref="Errors.MailRecoveryException">The index was written by a newer release (a usage error).</exception>
    public static ArchiveIndex Open(string path, bool readOnly)
    {
        try
        {
            return OpenIndex(path, readOnly);
        }
        catch (SqliteException e) when (IsCorruption(e))
        {
            throw Corrupt($"the index {path}", e);
        }
    }

    /// <summary>SQLITE_CORRUPT ("database disk image is malformed") and SQLITE_NOTADB ("file is not a database").</summary>
    public static bool IsCorruption(SqliteException error) => error?.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase;

    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    /// <summary>The one message for a damaged index, wherever SQLite notices it.</summary>
    /// <param name="what">Names the index: its path, or the account whose pass found it.</param>
    public static Errors.MailRecoveryException Corrupt(string what, SqliteException error) =>
        new(Errors.FailureKind.Permanent, Errors.FailureScope.Archive,
            $"{what} is damaged: SQLite says \"{error?.Message}\". The messages are safe in the Maildir; only the index is broken.",
            "run 'mailrecovery archive reindex': it moves the damaged index aside (index.sqlite.corrupt-TIME) and rebuilds it from the Maildir; the next fetch re-learns which server message is which file by content hash and stores nothing twice.",
            error);

    /// <summary>SQLite's own consistency check (<c>PRAGMA quick_check</c>): false for an index with damaged pages.</summary>
    public bool IsIntact()
    {
        try
        {
            return Scalar("PRAGMA quick_check") as string == "ok";
        }
        catch (SqliteException e) when (IsCorruption(e))
        {
            return false;
        }
    }

    private static ArchiveIndex OpenIndex(string path, bool readOnly)
    {
        bool created = !readOnly && !File.Exists(path);
        if (readOnly)
        {
            using SqliteConnection probe = Connect(path, SqliteOpenMode.ReadOnly);
            int version = IndexSchema.VersionOf(probe);
            IndexSchema.CheckNotNewer(version, path);
            if (version < IndexSchema.Current)
            {
                using SqliteConnection writer = Connect(path, SqliteOpenMode.ReadWrite);
                IndexSchema.Upgrade(writer, path);
            }
        }

        SqliteConnection connection = Connect(path, readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate);
        try
        {
            if (created)
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds addresses and subjects
            var index = new ArchiveIndex(connection);
            if (!readOnly)
            {
                index.Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
                index.UpgradedFrom = IndexSchema.Upgrade(connection, path);
                index.Execute(IndexSchema.PrunedTable); // an index of an earlier build of schema 2 lacks it
                if (created)
                    IO.DurableDirectory.SyncParentOf(path);
            }

            return index;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the index read-only from the database file alone (SQLite's <c>immutable</c>): no shared-memory
    /// file, so it works where nothing can be written, a full disk. Only correct while no connection has the
    /// index open for writing and its WAL is empty: the caller checks that (<see cref="MessageArchive"/>). An
    /// index of an older schema is refused the same way a read-only open would need to upgrade it.
    /// </summary>
    /// <exception cref="Errors.MailRecoveryException">The index needs an upgrade, or is from a newer release.</exception>
    public static ArchiveIndex OpenImmutable(string path)
    {
        IO.RegularFile.RefuseLinksOfDatabase(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = new Uri(Path.GetFullPath(path)).AbsoluteUri + "?immutable=1",
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            int version = IndexSchema.VersionOf(connection);
            IndexSchema.CheckNotNewer(version, path);
            if (version < IndexSchema.Current)
            {
                throw new Errors.MailRecoveryException(Errors.FailureKind.LocalStorage, Errors.FailureScope.Archive,
                    $"the index {path} is of an older release and must be upgraded, which needs free space on its disk.",
                    "free space on the archive's disk, then run the command again.");
            }

            return new ArchiveIndex(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The schema version found when this writer opened the index (0: new); below <see cref="IndexSchema.Current"/> means it was upgraded.</summary>
    public int UpgradedFrom { get; private set; } = IndexSchema.Current;

    private static SqliteConnection Connect(string path, SqliteOpenMode mode)
    {
        IO.RegularFile.RefuseLinksOfDatabase(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }

    public string? GetMeta(string key) =>
        Scalar("SELECT value FROM meta WHERE key = $k", ("$k", key)) as string;

    public void SetMeta(string key, string value) =>
        Execute("INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value", ("$k", key), ("$v", value));

    public string? FindFileBySha256(string sha256) =>
        Scalar("SELECT file FROM messages WHERE sha256 = $s LIMIT 1", ("$s", sha256)) as string;

    public long CountMessages() => (long)(Scalar("SELECT COUNT(*) FROM messages") ?? 0L);

    public HashSet<string> AllFiles()
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        using SqliteCommand cmd = Command("SELECT file FROM messages");
        using SqliteDataReader reader = cmd.ExecuteReader();
        while (reader.Read())
            files.Add(reader.GetString(0));
        return files;
    }

    /// <summary>The server ids of one mailbox (and UIDVALIDITY) that are already archived.</summary>
    public HashSet<string> ArchivedServerIds(string account, string mailbox, uint uidValidity)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using SqliteCommand cmd = Command("SELECT server_id FROM source_messages WHERE account = $a AND mailbox = $m AND uidvalidity = $u",
            ("$a", account), ("$m", mailbox), ("$u", (long)uidValidity));
        using SqliteDataReader reader = cmd.ExecuteReader();
        while (reader.Read())
            ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>
    /// Archived server ids of a mailbox whose message was received before <paramref name="cutoff"/>, pruned ones
    /// included (their receipt time is in the tombstone): a prune must not keep a message on the server forever.
    /// </summary>
    public HashSet<string> ArchivedServerIdsReceivedBefore(string account, string mailbox, uint uidValidity, DateTimeOffset cutoff)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using SqliteCommand cmd = Command("""
            SELECT s.server_id FROM source_messages s LEFT JOIN messages m ON m.file = s.file LEFT JOIN pruned p ON p.file = s.file
            WHERE s.account = $a AND s.mailbox = $m AND s.uidvalidity = $u AND COALESCE(m.received_utc, p.received_utc) < $c
            """, ("$a", account), ("$m", mailbox), ("$u", (long)uidValidity), ("$c", cutoff.ToUnixTimeMilliseconds()));
        using SqliteDataReader reader = cmd.ExecuteReader();
        while (reader.Read())
            ids.Add(reader.GetString(0));
        return ids;
    }

    public uint? StoredUidValidity(string account, string mailbox) =>
        Scalar("SELECT uidvalidity FROM mailbox_state WHERE account = $a AND mailbox = $m", ("$a", account), ("$m", mailbox)) is long v ? (uint)v : null;

    public void SetUidValidity(string account, string mailbox, uint uidValidity) =>
        Execute("INSERT INTO mailbox_state(account, mailbox, uidvalidity) VALUES($a, $m, $u) ON CONFLICT(account, mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity",
            ("$a", account), ("$m", mailbox), ("$u", (long)uidValidity));

    /// <summary>
    /// Files this account archived from <paramref name="mailbox"/> under any UIDVALIDITY, by Message-ID and
    /// size: what a UIDVALIDITY change is re-mapped with. Pruned files count (from their tombstones): a pruned
    /// message the server still has is linked again, not downloaded again.
    /// </summary>
    public Dictionary<(string MessageId, long Size), List<string>> FilesByMessageIdAndSize(string account, string mailbox)
    {
        var map = new Dictionary<(string, long), List<string>>();
        using SqliteCommand cmd = Command("""
            SELECT DISTINCT m.message_id, m.size, m.file FROM source_messages s JOIN messages m ON m.file = s.file
            WHERE s.account = $a AND s.mailbox = $m AND m.message_id IS NOT NULL
            UNION
            SELECT DISTINCT p.message_id, p.size, p.file FROM source_messages s JOIN pruned p ON p.file = s.file
            WHERE s.account = $a AND s.mailbox = $m AND p.message_id IS NOT NULL
            """, ("$a", account), ("$m", mailbox));
        using SqliteDataReader reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var key = (reader.GetString(0), reader.GetInt64(1));
            if (!map.TryGetValue(key, out List<string>? files))
                map[key] = files = [];
            files.Add(reader.GetString(2));
        }

        return map;
    }

    /// <summary>
    /// Every server message this account archived from <paramref name="mailbox"/> (any UIDVALIDITY) with its file's
    /// catalogue row: what a fetch pass checks for missing or damaged files.
    /// </summary>
    public List<(string ServerId, uint UidValidity, ArchivedMessage Row)> LinkedMessages(string account, string mailbox)
    {
        var rows = new List<(string, uint, ArchivedMessage)>();
        using SqliteCommand cmd = Command("""
            SELECT m.file, m.sha256, m.size, m.message_id, m.received_utc, m.received_source, m.date_utc, m.from_addr, m.to_addrs, m.cc_addrs,
                   m.delivered_to, m.x_original_to, m.recipients, m.subject, m.archived_utc, m.is_probe, m.fingerprint, s.server_id, s.uidvalidity
            FROM source_messages s JOIN messages m ON m.file = s.file WHERE s.account = $a AND s.mailbox = $m
            """, ("$a", account), ("$m", mailbox));
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
            rows.Add((r.GetString(17), (uint)r.GetInt64(18), ReadMessage(r)));
        return rows;
    }

    /// <summary>Files whose fingerprint is not known yet (rows of an index upgraded from schema 1).</summary>
    public List<string> FilesWithoutFingerprint()
    {
        var files = new List<string>();
        using SqliteCommand cmd = Command("SELECT file FROM messages WHERE fingerprint IS NULL");
        using SqliteDataReader reader = cmd.ExecuteReader();
        while (reader.Read())
            files.Add(reader.GetString(0));
        return files;
    }

    /// <summary>
    /// Server messages whose archived file has another size than the server announced for them (links made
    /// before the size was recorded have none and are not listed), ordered by file.
    /// </summary>
    public List<(string File, string Account, string ServerId, long ServerSize, long Size)> ServerSizeMismatches()
    {
        var rows = new List<(string, string, string, long, long)>();
        using SqliteCommand cmd = Command("""
            SELECT s.file, s.account, s.server_id, s.server_size, m.size FROM source_messages s JOIN messages m ON m.file = s.file
            WHERE s.server_size IS NOT NULL AND s.server_size <> m.size ORDER BY s.file, s.account, s.server_id
            """);
        using SqliteDataReader reader = cmd.ExecuteReader();
        while (reader.Read())
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4)));
        return rows;
    }

    /// <summary>Records fingerprints computed from the files, in one transaction.</summary>
    public void SetFingerprints(IReadOnlyCollection<(string File, string Fingerprint)> fingerprints)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        using SqliteTransaction tx = connection.BeginTransaction();
        using SqliteCommand update = Command("UPDATE messages SET fingerprint = $fp WHERE file = $f");
        update.Transaction = tx;
        update.Parameters.Add(new SqliteParameter("$fp", null));
        update.Parameters.Add(new SqliteParameter("$f", null));
        foreach (var (file, fp) in fingerprints)
        {
            update.Parameters[0].Value = fp;
            update.Parameters[1].Value = file;
            update.ExecuteNonQuery();
        }

        tx.Commit();
    }

    /// <summary>
    /// Files this account archived from <paramref name="mailbox"/> under any UIDVALIDITY, by fingerprint (the
    /// message identity): what a UIDVALIDITY change re-maps a download to. A fingerprint shared by several files
    /// of the mailbox is left out: it cannot say which one a server message is.
    /// </summary>
    public Dictionary<string, string> FilesByFingerprint(string account, string mailbox)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        using SqliteCommand cmd = Command("""
            SELECT m.fingerprint, MIN(m.file) FROM source_messages s JOIN messages m ON m.file = s.file
            WHERE s.account = $a AND s.mailbox = $m AND m.fingerprint IS NOT NULL
            GROUP BY m.fingerprint HAVING COUNT(DISTINCT m.file) = 1
            """, ("$a", account), ("$m", mailbox));
        using SqliteDataReader reader = cmd.ExecuteReader();
        while (reader.Read())
            map[reader.GetString(0)] = reader.GetString(1);
        return map;
    }

    /// <summary>Adds catalogue rows and fetch-state links in one durable transaction.</summary>
    /// <param name="replaceCatalogue">Drop every catalogue row first, in the same transaction (a rebuild).</param>
    public void Commit(IReadOnlyCollection<ArchivedMessage> messages, IReadOnlyCollection<SourceLink> links, IEnumerable<KeyValuePair<string, string>>? meta = null, bool replaceCatalogue = false)
    {
        using SqliteTransaction tx = connection.BeginTransaction();
        if (replaceCatalogue)
        {
            using SqliteCommand clear = Command("DELETE FROM messages");
            clear.Transaction = tx;
            clear.ExecuteNonQuery();
        }

        if (messages.Count > 0)
        {
            using SqliteCommand insert = Command("""
                INSERT OR IGNORE INTO messages(file, sha256, size, message_id, received_utc, received_source, date_utc, from_addr,
                    to_addrs, cc_addrs, delivered_to, x_original_to, recipients, subject, archived_utc, is_probe, fingerprint)
                VALUES($file, $sha, $size, $mid, $recv, $rsrc, $date, $from, $to, $cc, $dt, $xot, $rcpts, $subj, $arch, $probe, $fp)
                """);
            insert.Transaction = tx;
            string[] names = ["$file", "$sha", "$size", "$mid", "$recv", "$rsrc", "$date", "$from", "$to", "$cc", "$dt", "$xot", "$rcpts", "$subj", "$arch", "$probe", "$fp"];
            foreach (string n in names)
                insert.Parameters.Add(new SqliteParameter(n, null));
            foreach (ArchivedMessage m in messages)
            {
                MessageMetadata md = m.Metadata;
                object?[] values =
                [
                    m.File, m.Sha256, m.Size, md.MessageId, md.ReceivedAt.ToUnixTimeMilliseconds(), ReceivedSourceName(md.ReceivedSource),
                    md.Date?.ToUnixTimeMilliseconds(), md.From, md.To, md.Cc, md.DeliveredTo, md.XOriginalTo, md.Recipients, md.Subject,
                    m.ArchivedAt.ToUnixTimeMilliseconds(), md.IsProbe ? 1 : 0, m.Fingerprint,
                ];
                for (int i = 0; i < values.Length; i++)
                    insert.Parameters[i].Value = values[i] ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
        }

        if (links.Count > 0)
        {
            using SqliteCommand link = Command("""
                INSERT OR IGNORE INTO source_messages(account, mailbox, uidvalidity, server_id, file, fetched_utc, server_size)
                VALUES($a, $m, $u, $s, $f, $t, $z)
                """);
            link.Transaction = tx;
            foreach (string n in new[] { "$a", "$m", "$u", "$s", "$f", "$t", "$z" })
                link.Parameters.Add(new SqliteParameter(n, null));
            foreach (SourceLink l in links)
            {
                link.Parameters[0].Value = l.Account;
                link.Parameters[1].Value = l.Mailbox;
                link.Parameters[2].Value = (long)l.UidValidity;
                link.Parameters[3].Value = l.ServerId;
                link.Parameters[4].Value = l.File;
                link.Parameters[5].Value = l.FetchedAt.ToUnixTimeMilliseconds();
                link.Parameters[6].Value = l.ServerSize is long z ? z : DBNull.Value;
                link.ExecuteNonQuery();
            }
        }

        if (meta is not null)
        {
            foreach (var (key, value) in meta)
            {
                using SqliteCommand set = Command("INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value", ("$k", key), ("$v", value));
                set.Transaction = tx;
                set.ExecuteNonQuery();
            }
        }

        tx.Commit();
    }

    /// <summary>Every catalogue row, ordered by file name (the order a rebuild produces).</summary>
    public IEnumerable<ArchivedMessage> AllMessages()
    {
        using SqliteCommand cmd = Command("""
            SELECT file, sha256, size, message_id, received_utc, received_source, date_utc, from_addr, to_addrs, cc_addrs,
                   delivered_to, x_original_to, recipients, subject, archived_utc, is_probe, fingerprint
            FROM messages ORDER BY file
            """);
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
            yield return ReadMessage(r);
    }

    /// <summary>Records a successful pass; it ends a run of failures (<c>failing_since_utc</c> cleared).</summary>
    public void RecordAccountSuccess(string account, DateTimeOffset at) =>
        Execute("INSERT INTO account_state(account, last_success_utc) VALUES($a, $t) ON CONFLICT(account) DO UPDATE SET last_success_utc = excluded.last_success_utc, failing_since_utc = NULL",
            ("$a", account), ("$t", at.ToUnixTimeMilliseconds()));

    /// <summary>Records several accounts' successful passes in one transaction (watch's group commit).</summary>
    public void RecordAccountSuccesses(IReadOnlyCollection<(string Account, DateTimeOffset At)> passes)
    {
        using SqliteTransaction tx = connection.BeginTransaction();
        using SqliteCommand cmd = Command("INSERT INTO account_state(account, last_success_utc) VALUES($a, $t) ON CONFLICT(account) DO UPDATE SET last_success_utc = excluded.last_success_utc, failing_since_utc = NULL",
            ("$a", null), ("$t", null));
        cmd.Transaction = tx;
        foreach (var (account, at) in passes)
        {
            cmd.Parameters["$a"].Value = account;
            cmd.Parameters["$t"].Value = at.ToUnixTimeMilliseconds();
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
    }

    /// <summary>
    /// Records a failed pass. The first failure after a success starts the run (<c>failing_since_utc</c>); later
    /// ones keep that start, so <c>status</c> can say since when an account fails, not only its latest error.
    /// </summary>
    public void RecordAccountError(string account, DateTimeOffset at, string error) =>
        Execute("""
            INSERT INTO account_state(account, last_error, last_error_utc, failing_since_utc) VALUES($a, $e, $t, $t)
            ON CONFLICT(account) DO UPDATE SET last_error = excluded.last_error, last_error_utc = excluded.last_error_utc,
                failing_since_utc = COALESCE(account_state.failing_since_utc, excluded.last_error_utc)
            """,
            ("$a", account), ("$e", error), ("$t", at.ToUnixTimeMilliseconds()));

    /// <summary>True when the account's latest recorded pass failed (an error newer than any success).</summary>
    public bool LastPassFailed(string account)
    {
        using SqliteCommand cmd = Command("SELECT last_success_utc, last_error_utc FROM account_state WHERE account = $a", ("$a", account));
        using SqliteDataReader r = cmd.ExecuteReader();
        return r.Read() && !r.IsDBNull(1) && (r.IsDBNull(0) || r.GetInt64(1) > r.GetInt64(0));
    }

    /// <summary>Records the outcome of an alias verification (shown by <c>status</c>).</summary>
    public void RecordProbe(DateTimeOffset at, string alias, string verdict, string summary) =>
        Execute("INSERT INTO probe_results(at_utc, alias, verdict, summary) VALUES($t, $a, $v, $s)",
            ("$t", at.ToUnixTimeMilliseconds()), ("$a", alias), ("$v", verdict), ("$s", summary));

    /// <summary>The newest probe result, or null when no probe was ever recorded.</summary>
    public (DateTimeOffset At, string Alias, string Verdict, string Summary)? LastProbe()
    {
        if (!TableExists("probe_results"))
            return null;
        using SqliteCommand cmd = Command("SELECT at_utc, alias, verdict, summary FROM probe_results ORDER BY at_utc DESC LIMIT 1");
        using SqliteDataReader r = cmd.ExecuteReader();
        return r.Read() ? (DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetString(1), r.GetString(2), r.GetString(3)) : null;
    }

    /// <summary>Per account: last fetch, last error, newest message, count and bytes archived.</summary>
    public List<AccountStatistics> AccountStatistics()
    {
        var stats = new Dictionary<string, AccountStatistics>(StringComparer.Ordinal);
        using (SqliteCommand cmd = Command("""
            SELECT s.account, MAX(m.received_utc), COUNT(DISTINCT m.file), SUM(m.size), MAX(m.archived_utc)
            FROM source_messages s JOIN messages m ON m.file = s.file GROUP BY s.account
            """))
        using (SqliteDataReader r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                stats[r.GetString(0)] = new AccountStatistics(r.GetString(0), null, null, null, DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetInt64(2), r.IsDBNull(3) ? 0 : r.GetInt64(3))
                {
                    LastArchived = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                };
            }
        }

        using (SqliteCommand cmd = Command("SELECT account, last_success_utc, last_error, last_error_utc, failing_since_utc FROM account_state"))
        using (SqliteDataReader r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                string account = r.GetString(0);
                AccountStatistics current = stats.GetValueOrDefault(account) ?? new AccountStatistics(account, null, null, null, null, 0, 0);
                stats[account] = current with
                {
                    LastSuccess = r.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
                    LastError = r.IsDBNull(2) ? null : r.GetString(2),
                    LastErrorAt = r.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)),
                    FailingSince = r.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
                };
            }
        }

        return stats.Values.OrderBy(a => a.Account, StringComparer.Ordinal).ToList();
    }

    /// <summary>Receipt times of the non-probe messages received at or after <paramref name="since"/>.</summary>
    public List<DateTimeOffset> ReceivedSince(DateTimeOffset since)
    {
        var times = new List<DateTimeOffset>();
        using SqliteCommand cmd = Command("SELECT received_utc FROM messages WHERE received_utc >= $s AND is_probe = 0", ("$s", since.ToUnixTimeMilliseconds()));
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
            times.Add(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)));
        return times;
    }

    /// <summary>Messages and bytes in the whole catalogue.</summary>
    public (long Messages, long Bytes) Totals()
    {
        using SqliteCommand cmd = Command("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM messages");
        using SqliteDataReader r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    private bool TableExists(string name) =>
        Scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = $n", ("$n", name)) is not null;

    public void Dispose() => connection.Dispose();

    internal static ArchivedMessage ReadMessage(SqliteDataReader r)
    {
        static string? S(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
        var md = new MessageMetadata(
            S(r, 3),
            DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
            ParseReceivedSource(r.GetString(5)),
            r.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
            S(r, 7), S(r, 8), S(r, 9), S(r, 10), S(r, 11), r.GetString(12), S(r, 13),
            r.GetInt64(15) != 0);
        return new ArchivedMessage(r.GetString(0), r.GetString(1), r.GetInt64(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(14)), md)
        {
            Fingerprint = r.FieldCount > 16 && !r.IsDBNull(16) ? r.GetString(16) : null,
        };
    }

    public static string ReceivedSourceName(ReceivedTimeSource source) => source switch
    {
        ReceivedTimeSource.ReceivedHeader => "received-header",
        ReceivedTimeSource.InternalDate => "internaldate",
        _ => "fetch-time",
    };

    private static ReceivedTimeSource ParseReceivedSource(string name) => name switch
    {
        "received-header" => ReceivedTimeSource.ReceivedHeader,
        "internaldate" => ReceivedTimeSource.InternalDate,
        _ => ReceivedTimeSource.FetchTime,
    };

    internal SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        SqliteCommand cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    /// <summary>For the query classes of <c>Archive/</c> that write several rows at once (<see cref="PrimaryLedger"/>).</summary>
    internal SqliteTransaction BeginTransaction() => connection.BeginTransaction();

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using SqliteCommand cmd = Command(sql, parameters);
        cmd.ExecuteNonQuery();
    }

    private object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using SqliteCommand cmd = Command(sql, parameters);
        object? value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
