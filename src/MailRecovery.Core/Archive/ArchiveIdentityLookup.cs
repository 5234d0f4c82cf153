using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Typed look-ups by <see cref="MessageIdentity"/> over the whole catalogue, at any receipt time, for callers
/// outside <c>Archive/</c> (alias audit). Both columns are indexed, so a million-row archive is never read whole.
/// </summary>
public sealed class ArchiveIdentityLookup
{
    /// <summary>Values per query; SQLite allows 32766 parameters, far more than this.</summary>
    private const int Batch = 500;

    private readonly ArchiveIndex index;

    public ArchiveIdentityLookup(ArchiveIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        this.index = index;
    }

    /// <summary>
    /// For each of <paramref name="messageIds"/> that the archive holds, the distinct fingerprints of its messages
    /// with that Message-ID: one for a unique Message-ID, several when different messages share it. A row whose
    /// fingerprint is not filled in yet (an index being upgraded) adds none, so its Message-ID maps to an empty set.
    /// </summary>
    public Dictionary<string, HashSet<string>> FingerprintsByMessageId(IEnumerable<string> messageIds)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var found = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (string[] batch in messageIds.Distinct(StringComparer.Ordinal).Chunk(Batch))
        {
            Read("SELECT DISTINCT message_id, fingerprint FROM messages WHERE message_id IN ({0})", batch, reader =>
            {
                string id = reader.GetString(0);
                if (!found.TryGetValue(id, out HashSet<string>? fingerprints))
                    found[id] = fingerprints = new HashSet<string>(StringComparer.Ordinal);
                if (!reader.IsDBNull(1))
                    fingerprints.Add(reader.GetString(1));
            });
        }

        return found;
    }

    /// <summary>Which of <paramref name="fingerprints"/> the archive holds.</summary>
    public HashSet<string> Known(IEnumerable<string> fingerprints)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (string[] batch in fingerprints.Distinct(StringComparer.Ordinal).Chunk(Batch))
        {
            Read("SELECT DISTINCT fingerprint FROM messages WHERE fingerprint IN ({0})", batch, reader => found.Add(reader.GetString(0)));
        }

        return found;
    }

    /// <summary>Runs <paramref name="sql"/> with its <c>{0}</c> replaced by one parameter per value, calling <paramref name="row"/> per row.</summary>
    private void Read(string sql, string[] values, Action<SqliteDataReader> row)
    {
        var parameters = values.Select((v, i) => ($"$v{i}", (object?)v)).ToArray();
        string list = string.Join(", ", parameters.Select(p => p.Item1));
        using SqliteCommand cmd = index.Command(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, list), parameters);
        using SqliteDataReader reader = cmd.ExecuteReader();
        while (reader.Read())
            row(reader);
    }
}
