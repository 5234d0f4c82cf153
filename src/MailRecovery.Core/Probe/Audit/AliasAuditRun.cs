using MailRecovery.Core.Archive;
using MailRecovery.Core.Replay;
using Microsoft.Data.Sqlite;

namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// <c>alias audit</c>: lists the primary, selects the archive's window, and compares Message-IDs (see
/// <see cref="AliasAuditComparer"/> for the rule). Reads only: neither the primary nor the archive changes.
/// </summary>
public sealed class AliasAuditRun
{
    /// <summary>Message-IDs per index query; SQLite allows 32766 parameters, far more than this.</summary>
    private const int LookupBatch = 500;

    private readonly ArchiveIndex index;
    private readonly IPrimaryMailSource primary;
    private readonly AliasAuditOptions options;

    public AliasAuditRun(ArchiveIndex index, IPrimaryMailSource primary, AliasAuditOptions options)
    {
        this.index = index;
        this.primary = primary;
        this.options = options;
    }

    public async Task<AliasAuditReport> RunAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<AuditMessage> listing = await primary.ListAsync(options.Since - options.Margin, options.Until + options.Margin, cancellationToken);

        // The same selection replay uses, probes excluded: a probe removed from the copy by --cleanup is still
        // archived, and is not a message the helpdesk should have.
        var window = new ReplayWindow(options.Since, options.Until, ReplayClock.Received);
        List<AuditMessage> copy = ReplaySelector.Select(index, window, ReplayFilter.All).Select(m => AuditMessage.Of(m.Metadata)).ToList();

        var wanted = listing
            .Where(m => options.Contains(m.ReceivedAt))
            .Select(m => AuditMessage.NormalizeId(m.MessageId))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return AliasAuditComparer.Compare(primary.Description, options, listing, copy, ArchivedIds(wanted));
    }

    /// <summary>
    /// Which of <paramref name="ids"/> the archive holds at any time: looked up by the Message-ID index, so
    /// an archive of a million rows is never read whole.
    /// </summary>
    private HashSet<string> ArchivedIds(IReadOnlyList<string> ids)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (string[] batch in ids.Chunk(LookupBatch))
        {
            var parameters = batch.Select((id, i) => ($"$m{i}", (object?)id)).ToArray();
            string list = string.Join(", ", parameters.Select(p => p.Item1));
            using SqliteCommand cmd = index.Command($"SELECT DISTINCT message_id FROM messages WHERE message_id IN ({list})", parameters);
            using SqliteDataReader reader = cmd.ExecuteReader();
            while (reader.Read())
                found.Add(reader.GetString(0));
        }

        return found;
    }
}
