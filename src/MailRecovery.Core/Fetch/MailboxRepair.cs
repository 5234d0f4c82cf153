using MailRecovery.Core.Archive;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Fetch;

/// <summary>
/// The self-repair of one mailbox pass, the way a mirror heals: the files this mailbox's archived messages live in
/// are checked (<see cref="FileDamage.CheapCheckAsync"/>: a stat each, a hash only when the mtime moved); a missing
/// or damaged one whose server message is still listed is downloaded again and put back once its SHA-256 is the
/// recorded one; the others are reported lost with what the index knows of them. Without stable ids (POP3 without
/// UIDL) every message is downloaded anyway, and a download with the recorded SHA-256 of a damaged file restores it.
/// </summary>
internal sealed class MailboxRepair
{
    private readonly MessageArchive archive;
    private readonly Dictionary<string, Damaged> bySha = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Damaged> byServerId = new(StringComparer.Ordinal);

    private MailboxRepair(MessageArchive archive) => this.archive = archive;

    /// <summary>Listed server messages to download again because their file is missing or damaged.</summary>
    public List<ServerMessage> ToDownload { get; } = [];

    public static async Task<MailboxRepair> FindAsync(MessageArchive archive, string account, string mailbox, uint uidValidity, IReadOnlyList<ServerMessage> listed, bool stableIds, CancellationToken cancellationToken)
    {
        var repair = new MailboxRepair(archive);
        var links = archive.Index.LinkedMessages(account, mailbox);
        if (links.Count == 0)
            return repair;
        Dictionary<string, ServerMessage> onServer = stableIds ? listed.ToDictionary(m => m.ServerId, StringComparer.Ordinal) : [];
        foreach (var group in links.GroupBy(l => l.Row.File, StringComparer.Ordinal))
        {
            ArchivedMessage row = group.First().Row;
            if (await FileDamage.CheapCheckAsync(archive.Layout, row, cancellationToken) is not { } damage)
                continue;
            var damaged = new Damaged(row, damage.Reason, damage.Path);
            repair.bySha.TryAdd(row.Sha256, damaged);
            foreach (var (serverId, validity, _) in group)
            {
                if (validity == uidValidity && onServer.TryGetValue(serverId, out ServerMessage? message))
                {
                    repair.byServerId[serverId] = damaged;
                    damaged.OnServer = true;
                    repair.ToDownload.Add(message);
                    break; // one download puts the file back
                }
            }
        }

        return repair;
    }

    public bool IsTarget(ServerMessage message) => byServerId.ContainsKey(message.ServerId);

    /// <summary>
    /// Restores the damaged file whose recorded SHA-256 the download has, if any, and returns its name (the staged
    /// file became it). A repair target whose download hashes otherwise is not the archived message any more: the
    /// caller discards it (<see cref="IsTarget"/>).
    /// </summary>
    public string? TryRestore(StagedMessage staged)
    {
        ArgumentNullException.ThrowIfNull(staged);
        if (!bySha.TryGetValue(staged.Sha256, out Damaged? damaged) || damaged.Restored)
            return null;
        archive.Writer.Restore(staged, damaged.Row, damaged.Path);
        damaged.Restored = true;
        return damaged.Row.File;
    }

    /// <summary>The damaged files this pass could not put back: lost, unless another account has them.</summary>
    public List<LostMessage> Lost() =>
        [.. bySha.Values.Where(d => !d.Restored && !d.OnServer).OrderBy(d => d.Row.File, StringComparer.Ordinal).Select(d => LostMessage.Of(d.Row, d.Reason + ", and the server no longer has the message"))];

    /// <summary>The recorded SHA-256 of a repair target's file.</summary>
    public string? ExpectedSha(ServerMessage message) => byServerId.GetValueOrDefault(message.ServerId)?.Row.Sha256;

    private sealed class Damaged(ArchivedMessage row, string reason, string? path)
    {
        public ArchivedMessage Row { get; } = row;

        public string Reason { get; } = reason;

        public string? Path { get; } = path;

        public bool Restored { get; set; }

        /// <summary>Its server message is listed: not lost, whatever this pass manages (a failure is reported as such).</summary>
        public bool OnServer { get; set; }
    }
}
