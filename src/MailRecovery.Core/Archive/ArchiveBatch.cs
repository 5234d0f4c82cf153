namespace MailRecovery.Core.Archive;

/// <summary>
/// Messages that become durable together: the batch's files are flushed (one syncfs, or parallel fsyncs) before one rename pass,
/// then one fsync of cur/ and one index transaction cover the whole batch (a group commit). Nothing in the batch counts as
/// archived, and so nothing may be deleted from a server, before <see cref="Commit"/> returns.
/// </summary>
public sealed class ArchiveBatch
{
    private readonly MessageArchive archive;
    private readonly List<StagedMessage> fresh = [];
    private readonly List<SourceLink> links = [];
    private readonly Dictionary<string, string> freshBySha = new(StringComparer.Ordinal);

    /// <summary>Content hashes this batch linked to files of other batches not yet indexed (see <see cref="WaitsForOthers"/>).</summary>
    private readonly Dictionary<string, string> borrowed = new(StringComparer.Ordinal);
    private bool publishStarted;

    internal ArchiveBatch(MessageArchive archive) => this.archive = archive;

    public int Count => links.Count;

    /// <summary>
    /// Adds a staged message fetched as <paramref name="serverId"/> (null: the server has no stable id, use the
    /// content hash). Returns true when it is new content, false when byte-identical content is already
    /// archived, in which case the staged file is dropped and the server message linked to the existing file.
    /// </summary>
    /// <param name="serverSize">The size the server announced, kept in the link for <c>archive verify</c>; null when unknown.</param>
    public bool Add(StagedMessage staged, string account, string mailbox, uint uidValidity, string? serverId, long? serverSize = null)
    {
        string id = serverId ?? "sha256:" + staged.Sha256;
        string? existing = freshBySha.GetValueOrDefault(staged.Sha256);
        if (existing is null && archive.FindUnindexed(staged.Sha256) is { } pending)
        {
            existing = pending; // another batch's file: this one may commit only with it or after it
            borrowed[staged.Sha256] = pending;
        }

        existing ??= archive.Index.FindFileBySha256(staged.Sha256);
        if (existing is not null)
        {
            MaildirWriter.Discard(staged);
            links.Add(new SourceLink(account, mailbox, uidValidity, id, existing, staged.ArchivedAt, serverSize));
            return false;
        }

        fresh.Add(staged);
        freshBySha[staged.Sha256] = staged.File;
        archive.AddUnindexed(staged.Sha256, staged.File);
        links.Add(new SourceLink(account, mailbox, uidValidity, id, staged.File, staged.ArchivedAt, serverSize));
        return true;
    }

    /// <summary>Links a server message to a file already in the archive (UIDVALIDITY re-mapping).</summary>
    public void Link(string account, string mailbox, uint uidValidity, string serverId, string file) =>
        links.Add(new SourceLink(account, mailbox, uidValidity, serverId, file, archive.Clock.GetUtcNow()));

    /// <summary>
    /// Makes the batch's files durable in cur/ (one flush, renames, one fsync of cur/); touches no index, so it may run
    /// while the next batch is fetched. Order is important: files first, index second (<see cref="CommitIndex"/>),
    /// so the index never names a file that is not on disk.
    /// </summary>
    /// <param name="afterFilesDurable">A test hook, called between the two steps.</param>
    public void Publish(Action? afterFilesDurable = null)
    {
        publishStarted = fresh.Count > 0;
        archive.Writer.Publish(fresh);
        afterFilesDurable?.Invoke();
    }

    /// <summary>Commits the batch's index rows (after <see cref="Publish"/>) and empties the batch.</summary>
    public void CommitIndex()
    {
        archive.Index.Commit(fresh.Select(s => s.ToArchived()).ToList(), links, [archive.CurStamp()]);
        archive.ForgetUnindexed(fresh);
        fresh.Clear();
        links.Clear();
        freshBySha.Clear();
        borrowed.Clear();
        publishStarted = false;
    }

    /// <summary><see cref="Publish"/>, then <see cref="CommitIndex"/>.</summary>
    public void Commit(Action? afterFilesDurable = null)
    {
        Publish(afterFilesDurable);
        CommitIndex();
    }

    /// <summary>
    /// True while a file this batch links to belongs to another batch that is not committed yet: committing this
    /// one first would make the index name a file that may not be durable (or may never be, if that batch fails).
    /// </summary>
    internal bool WaitsForOthers(IReadOnlyCollection<ArchiveBatch> committingWith) =>
        borrowed.Any(b => archive.FindUnindexed(b.Key) == b.Value && !committingWith.Any(o => o.freshBySha.GetValueOrDefault(b.Key) == b.Value));

    /// <summary>
    /// True when a file borrowed from another batch was dropped with it (that batch failed): this batch's link
    /// would name a file that does not exist. The caller fails this batch; its messages are fetched again.
    /// </summary>
    internal bool LostABorrowedFile() =>
        borrowed.Any(b => archive.FindUnindexed(b.Key) is null && archive.Index.FindFileBySha256(b.Key) != b.Value);

    /// <summary>
    /// The files of several batches made durable together (one syncfs, or parallel fsyncs), before
    /// <see cref="PublishTogether"/> renames them. It touches neither cur/ nor the index, so the group committer runs
    /// it without the archive gate: downloads, whose index look-ups need the gate, go on during the flush (issue 15).
    /// </summary>
    internal static void MakeDurableTogether(MessageArchive archive, IReadOnlyCollection<ArchiveBatch> batches) =>
        archive.Writer.MakeDurable(batches.SelectMany(b => b.fresh).ToList());

    /// <summary>
    /// Several batches made durable as one (watch's group commit across accounts): their files are fsynced
    /// together, renamed, and cur/ is fsynced once. Then <see cref="CommitIndexTogether"/>.
    /// </summary>
    internal static void PublishTogether(MessageArchive archive, IReadOnlyCollection<ArchiveBatch> batches)
    {
        var all = new List<StagedMessage>();
        foreach (ArchiveBatch b in batches)
        {
            b.publishStarted = b.fresh.Count > 0;
            all.AddRange(b.fresh);
        }

        archive.Writer.Publish(all);
    }

    /// <summary>Commits the rows of several published batches in one index transaction (one fsync) and empties them.</summary>
    internal static void CommitIndexTogether(MessageArchive archive, IReadOnlyCollection<ArchiveBatch> batches)
    {
        archive.Index.Commit(batches.SelectMany(b => b.fresh).Select(s => s.ToArchived()).ToList(), batches.SelectMany(b => b.links).ToList(), [archive.CurStamp()]);
        foreach (ArchiveBatch b in batches)
        {
            archive.ForgetUnindexed(b.fresh);
            b.fresh.Clear();
            b.links.Clear();
            b.freshBySha.Clear();
            b.borrowed.Clear();
            b.publishStarted = false;
        }
    }

    /// <summary>Drops the batch: staged files are deleted; files already renamed into cur/ stay, found again by
    /// the start-up scan.</summary>
    public void Abandon()
    {
        if (publishStarted)
            archive.ForceCurScan(); // some files may be in cur/ without rows
        foreach (StagedMessage s in fresh)
            MaildirWriter.Discard(s);
        archive.ForgetUnindexed(fresh);
        fresh.Clear();
        links.Clear();
        freshBySha.Clear();
        borrowed.Clear();
    }
}
