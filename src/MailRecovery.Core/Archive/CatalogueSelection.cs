using System.Text;
using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Archive;

/// <summary>
/// The typed queries that select catalogue rows by time window and filters (for replay and audit), oldest first
/// with ties broken by file name, so every run sees the same order. The time columns are indexed, so a day out of
/// a million rows is a range scan.
/// </summary>
public static class CatalogueSelection
{
    private const string Columns = """
        file, sha256, size, message_id, received_utc, received_source, date_utc, from_addr, to_addrs, cc_addrs,
        delivered_to, x_original_to, recipients, subject, archived_utc, is_probe, fingerprint
        """;

    /// <summary>The selected rows, in order.</summary>
    public static List<ArchivedMessage> Select(ArchiveIndex index, CatalogueQuery query)
    {
        ArgumentNullException.ThrowIfNull(index);
        var (where, order, parameters) = Where(query);
        using SqliteCommand cmd = index.Command($"SELECT {Columns} FROM messages WHERE {where} ORDER BY {order}, file", [.. parameters]);
        using SqliteDataReader reader = cmd.ExecuteReader();
        var selected = new List<ArchivedMessage>();
        while (reader.Read())
            selected.Add(ArchiveIndex.ReadMessage(reader));
        return selected;
    }

    /// <summary>Each selected row's time on the query's clock and the total size, in one narrow scan (no rows materialised).</summary>
    public static (List<DateTimeOffset> Times, long Bytes) Times(ArchiveIndex index, CatalogueQuery query)
    {
        ArgumentNullException.ThrowIfNull(index);
        var (where, order, parameters) = Where(query);
        var times = new List<DateTimeOffset>();
        long bytes = 0;
        using SqliteCommand cmd = index.Command($"SELECT {order}, size FROM messages WHERE {where}", [.. parameters]);
        using SqliteDataReader reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            times.Add(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)));
            bytes += reader.GetInt64(1);
        }

        return (times, bytes);
    }

    /// <summary>The first (<paramref name="last"/> false) or the last selected row, or null when none.</summary>
    public static ArchivedMessage? One(ArchiveIndex index, CatalogueQuery query, bool last)
    {
        ArgumentNullException.ThrowIfNull(index);
        var (where, order, parameters) = Where(query);
        string direction = last ? "DESC" : "ASC";
        using SqliteCommand cmd = index.Command($"SELECT {Columns} FROM messages WHERE {where} ORDER BY {order} {direction}, file {direction} LIMIT 1", [.. parameters]);
        using SqliteDataReader reader = cmd.ExecuteReader();
        return reader.Read() ? ArchiveIndex.ReadMessage(reader) : null;
    }

    private static (string Where, string Order, List<(string, object?)> Parameters) Where(CatalogueQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        string column = query.Clock switch
        {
            CatalogueClock.Date => "date_utc",
            CatalogueClock.Archived => "archived_utc",
            _ => "received_utc",
        };

        // A message without a Date: header is placed by its receipt time on the date clock too (as ReplayPlan
        // shows it); written as an OR so that SQLite still uses both time indexes.
        var sql = new StringBuilder(query.Clock == CatalogueClock.Date
            ? "((date_utc >= $since AND date_utc < $until) OR (date_utc IS NULL AND received_utc >= $since AND received_utc < $until))"
            : $"{column} >= $since AND {column} < $until");
        string order = query.Clock == CatalogueClock.Date ? "COALESCE(date_utc, received_utc)" : column;
        var parameters = new List<(string, object?)> { ("$since", query.Since.ToUnixTimeMilliseconds()), ("$until", query.Until.ToUnixTimeMilliseconds()) };
        if (!query.IncludeProbes)
            sql.Append(" AND is_probe = 0");
        AppendAny(sql, parameters, "rcpt", query.Recipients, p => $"(' ' || recipients || ' ') LIKE '% ' || {p} || ' %' ESCAPE '\\'", like: true);
        AppendAny(sql, parameters, "from", query.Senders, p => $"(', ' || COALESCE(from_addr, '') || ',') LIKE '%, ' || {p} || ',%' ESCAPE '\\'", like: true);
        AppendAny(sql, parameters, "mid", query.MessageIds.Select(m => m.Trim().Trim('<', '>')).ToList(), p => $"message_id = {p}", lower: false);
        return (sql.ToString(), order, parameters);
    }

    /// <param name="like">The value goes into a LIKE pattern: '%', '_' and '\' in an address are literal.</param>
    private static void AppendAny(StringBuilder sql, List<(string, object?)> parameters, string prefix, IReadOnlyList<string> values, Func<string, string> condition, bool lower = true, bool like = false)
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
