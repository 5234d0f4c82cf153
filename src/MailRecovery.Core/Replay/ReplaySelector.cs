using MailRecovery.Core.Archive;
using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Replay;

/// <summary>
/// Selects the messages of a window from the index, oldest first (ties by file name, so the order is stable
/// across runs). The time columns are indexed, so a day out of a million rows is a range scan.
/// </summary>
public static class ReplaySelector
{
    public static IReadOnlyList<ArchivedMessage> Select(ArchiveIndex index, ReplayWindow window, ReplayFilter filter)
    {
        ArgumentNullException.ThrowIfNull(index);
        var (where, order, parameters) = Where(window, filter);
        using SqliteCommand cmd = index.Command($"SELECT {Columns} FROM messages WHERE {where} ORDER BY {order}, file", parameters.ToArray());
        using SqliteDataReader reader = cmd.ExecuteReader();
        var selected = new List<ArchivedMessage>();
        while (reader.Read())
            selected.Add(ArchiveIndex.ReadMessage(reader));
        return selected;
    }

    /// <summary>
    /// What a dry run shows, without materialising the rows: count, bytes and each message's time in one narrow
    /// scan, then the first and the last message by themselves.
    /// </summary>
    public static ReplayPlan Summarize(ArchiveIndex index, ReplayWindow window, ReplayFilter filter, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(index);
        var (where, order, parameters) = Where(window, filter);
        var times = new List<DateTimeOffset>();
        long bytes = 0;
        using (SqliteCommand cmd = index.Command($"SELECT {order}, size FROM messages WHERE {where}", parameters.ToArray()))
        using (SqliteDataReader reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                times.Add(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)));
                bytes += reader.GetInt64(1);
            }
        }

        return ReplayPlan.Summary(window, zone, times.Count, bytes, One("ASC"), One("DESC"), times);

        ArchivedMessage? One(string direction)
        {
            using SqliteCommand cmd = index.Command($"SELECT {Columns} FROM messages WHERE {where} ORDER BY {order} {direction}, file {direction} LIMIT 1", parameters.ToArray());
            using SqliteDataReader reader = cmd.ExecuteReader();
            return reader.Read() ? ArchiveIndex.ReadMessage(reader) : null;
        }
    }

    private const string Columns = """
        file, sha256, size, message_id, received_utc, received_source, date_utc, from_addr, to_addrs, cc_addrs,
        delivered_to, x_original_to, recipients, subject, archived_utc, is_probe, fingerprint
        """;

    private static (string Where, string Order, List<(string, object?)> Parameters) Where(ReplayWindow window, ReplayFilter filter)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(filter);
        string column = window.Clock switch
        {
            ReplayClock.Date => "date_utc",
            ReplayClock.Archived => "archived_utc",
            _ => "received_utc",
        };

        // A message without a Date: header is placed by its receipt time on the date clock too (as ReplayPlan
        // shows it); written as an OR so that SQLite still uses both time indexes.
        var sql = new System.Text.StringBuilder(window.Clock == ReplayClock.Date
            ? "((date_utc >= $since AND date_utc < $until) OR (date_utc IS NULL AND received_utc >= $since AND received_utc < $until))"
            : $"{column} >= $since AND {column} < $until");
        string order = window.Clock == ReplayClock.Date ? "COALESCE(date_utc, received_utc)" : column;
        var parameters = new List<(string, object?)> { ("$since", window.Since.ToUnixTimeMilliseconds()), ("$until", window.Until.ToUnixTimeMilliseconds()) };
        if (!filter.IncludeProbes)
            sql.Append(" AND is_probe = 0");
        AppendAny(sql, parameters, "rcpt", filter.Recipients, p => $"(' ' || recipients || ' ') LIKE '% ' || {p} || ' %' ESCAPE '\\'", like: true);
        AppendAny(sql, parameters, "from", filter.Senders, p => $"(', ' || COALESCE(from_addr, '') || ',') LIKE '%, ' || {p} || ',%' ESCAPE '\\'", like: true);
        AppendAny(sql, parameters, "mid", filter.MessageIds.Select(m => m.Trim().Trim('<', '>')).ToList(), p => $"message_id = {p}", lower: false);
        return (sql.ToString(), order, parameters);
    }

    /// <param name="like">The value goes into a LIKE pattern: '%', '_' and '\' in an address are literal.</param>
    private static void AppendAny(System.Text.StringBuilder sql, List<(string, object?)> parameters, string prefix, IReadOnlyList<string> values, Func<string, string> condition, bool lower = true, bool like = false)
    {
        if (values.Count == 0)
            return;
        var clauses = new List<string>();
        for (int i = 0; i < values.Count; i++)
        {
            string name = $"${prefix}{i}";
            string value = lower ? values[i].Trim().ToLowerInvariant() : values[i];
            if (like)
                value = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
            parameters.Add((name, value));
            clauses.Add(condition(name));
        }

        sql.Append(" AND (").Append(string.Join(" OR ", clauses)).Append(')');
    }
}
