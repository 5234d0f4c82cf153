using System.Diagnostics;
using System.Runtime.ExceptionServices;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;
using MailRecovery.Core.Resilience;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Sources.InputGuard;
using Microsoft.Extensions.Logging;
using Polly;

namespace MailRecovery.Core.Fetch;

/// <summary>
/// One pass over every account: download what the archive lacks, make it durable, and only then apply the
/// server policy. Safe to repeat and to kill at any point: a message counts as fetched only once its file and
/// its index row are on disk, and nothing is deleted from a server before that.
/// </summary>
public sealed class FetchRun
{
    private readonly MessageArchive archive;
    private readonly Func<AccountSpec, IMessageSource> sourceFactory;
    private readonly FetchOptions options;
    private readonly ILogger logger;
    private readonly IFetchObserver? observer;
    private readonly SemaphoreSlim archiveGate;
    private readonly GroupCommitter committer;

    /// <summary>Each account's batch limit, learnt over the passes of this process (watch keeps one FetchRun).</summary>
    private readonly Dictionary<string, AdaptiveBatchLimit> limits = new(StringComparer.Ordinal);

    /// <param name="archiveGate">Serialises archive access when several accounts run at once (watch).</param>
    public FetchRun(MessageArchive archive, Func<AccountSpec, IMessageSource> sourceFactory, FetchOptions options, ILogger logger, IFetchObserver? observer = null, SemaphoreSlim? archiveGate = null)
    {
        this.archive = archive;
        this.sourceFactory = sourceFactory;
        this.options = options;
        this.logger = logger;
        this.observer = observer;
        this.archiveGate = archiveGate ?? new SemaphoreSlim(1, 1);
        committer = new GroupCommitter(archive, this.archiveGate);
    }

    private TimeProvider Clock => archive.Clock;

    /// <summary>Files put back by self-repair during this run, by any account.</summary>
    private readonly HashSet<string> restoredFiles = new(StringComparer.Ordinal);

    public async Task<FetchReport> RunAsync(IReadOnlyList<AccountSpec> accounts, CancellationToken cancellationToken)
    {
        long start = Clock.GetTimestamp();
        var reports = new List<AccountReport>();
        foreach (AccountSpec account in accounts)
        {
            AccountReport report = await FetchAccountAsync(account, cancellationToken);
            reports.Add(report);
            if (report.Error?.Scope == FailureScope.Archive)
                break; // a full disk stops every account, not just this one
        }

        // A file one account found damaged and could not put back may have been put back by another (an alias
        // delivers the same message to several accounts): only what no account restored is lost.
        lock (restoredFiles)
        {
            foreach (AccountReport report in reports)
                report.Lost.RemoveAll(l => restoredFiles.Contains(l.File));
        }

        return new FetchReport(reports, Clock.GetElapsedTime(start));
    }

    /// <summary>Fetches one account, retrying the whole (idempotent) pass on transient failures.</summary>
    /// <param name="open">
    /// A connection already signed in to the account (watch's IDLE connection), used by the first try and left open:
    /// a pass then costs no connection, TLS handshake or sign-in on either side. Retries open their own.
    /// </param>
    public async Task<AccountReport> FetchAccountAsync(AccountSpec account, CancellationToken cancellationToken, IMessageSource? open = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        var report = new AccountReport(account.Name);
        ResiliencePipeline retry = SourcePipelines.AccountPass(options.Resilience, Clock, logger);
        try
        {
            await retry.ExecuteAsync(async ct =>
            {
                IMessageSource? shared = open;
                open = null;
                await PassAsync(account, report, shared, ct);
            }, cancellationToken);
            // Not cancellable: the committer finishes it in its next group, before the archive is closed.
            await committer.RecordSuccessAsync(account.Endpoint.AccountKey, Clock.GetUtcNow());
        }
        catch (MailRecoveryException e)
        {
            report.Error = e;
            logger.LogError("{Error}", e.UserText);
            logger.LogDebug(e.InnerException, "{Account}: detail", account.Name);
            await TryRecordErrorAsync(account, e);
        }

        return report;
    }

    private async Task PassAsync(AccountSpec account, AccountReport report, IMessageSource? shared, CancellationToken cancellationToken)
    {
        string thing = account.Name == account.Endpoint.AccountKey || account.Name.Contains("://", StringComparison.Ordinal)
            ? account.Name
            : $"{account.Name} ({account.Endpoint})";
        report.BeginTry();
        IMessageSource source = shared ?? sourceFactory(account);
        await using IAsyncDisposable? owned = shared is null ? source : null; // a shared connection stays open
        try
        {
            if (shared is null)
                await SourcePipelines.Connect(options.Resilience, Clock).ExecuteAsync(async ct => await source.ConnectAsync(ct), cancellationToken);
            IReadOnlyList<string> mailboxes = account.Endpoint.Capabilities.HasMailboxes ? account.Endpoint.Mailboxes : [string.Empty];
            foreach (string mailbox in mailboxes)
                await FetchMailboxAsync(account, source, mailbox, report, cancellationToken);

            if (shared is null)
                await source.CommitAsync(cancellationToken); // IMAP: LOGOUT; POP3: QUIT, which makes its DELEs final
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw ErrorClassifier.Classify(e, thing);
        }
    }

    private async Task FetchMailboxAsync(AccountSpec account, IMessageSource source, string mailbox, AccountReport report, CancellationToken cancellationToken)
    {
        string key = account.Endpoint.AccountKey;
        bool writable = account.Policy.Mode != ServerPolicyMode.Keep;
        IMailboxReader reader = await source.OpenMailboxAsync(mailbox, writable, cancellationToken);
        uint uidValidity = reader.UidValidity;
        IReadOnlyList<ServerMessage> listed = await reader.ListAsync(cancellationToken);

        uint? known = await WithArchiveAsync(() => archive.Index.StoredUidValidity(key, mailbox), cancellationToken);
        bool remap = known is not null && known != uidValidity;
        if (remap)
            logger.LogWarning("{Account} {Mailbox}: UIDVALIDITY changed from {Old} to {New}; re-mapping by Message-ID and size instead of downloading everything again.", account.Name, mailbox, known, uidValidity);
        if (!reader.HasStableIds)
        {
            string warning = "the server does not support UIDL: every message is downloaded on each pass and recognised by its content hash.";
            report.Warnings.Add(warning);
            logger.LogWarning("{Account}: {Warning}", account.Name, warning);
        }

        HashSet<string> archived = reader.HasStableIds
            ? await WithArchiveAsync(() => archive.Index.ArchivedServerIds(key, mailbox, uidValidity), cancellationToken)
            : [];
        MailboxRepair repair = await WithArchiveAwaitAsync(() => MailboxRepair.FindAsync(archive, key, mailbox, uidValidity, listed, reader.HasStableIds, cancellationToken), cancellationToken);
        var missing = (options.RepairOnly && reader.HasStableIds ? [] : listed.Where(m => !archived.Contains(m.ServerId))).Concat(repair.ToDownload).ToList();
        var alreadyOnServer = listed.Where(m => archived.Contains(m.ServerId) && !repair.IsTarget(m)).ToList();
        report.AlreadyHad += alreadyOnServer.Count(m => report.CountOnce(mailbox, m.ServerId));

        // A previous pass may have archived messages and died before deleting them: finish that job first.
        if (account.Policy.Mode == ServerPolicyMode.Delete && alreadyOnServer.Count > 0)
            await RemoveAsync(reader, alreadyOnServer, report, cancellationToken);

        IReadOnlyList<ServerMessage> toFetch = missing.Count == 0 ? [] : await reader.DescribeAsync(missing, remap, cancellationToken);

        // An async method keeps its locals until it returns: what is no longer needed per message is let go here, so
        // that a 100,000-message pass does not hold the listing and the archived ids beside the described messages
        // while it downloads (issue 15: the peak grew with the mailbox). The listing is kept only for delete-older-than.
        IReadOnlyList<ServerMessage> listedForExpiry = account.Policy.Mode == ServerPolicyMode.DeleteOlderThan ? listed : [];
        listed = [];
        missing = [];
        alreadyOnServer = [];
        archived = [];
        IReadOnlyDictionary<string, string>? earlier = null;
        if (remap)
        {
            toFetch = await RemapAsync(key, mailbox, uidValidity, toFetch, report, cancellationToken);
            earlier = await WithArchiveAsync(() => archive.Index.FilesByFingerprint(key, mailbox), cancellationToken);
        }

        observer?.MailboxStarted(account.Name, mailbox, toFetch.Count, toFetch.Sum(m => Math.Max(0, m.Size)));
        // Each batch is made durable and committed by the group committer (together with other accounts' batches
        // in watch) while the next batch downloads; with the delete policy its messages are deleted on the server
        // only after that. Downloads do not hold the archive gate: accounts download side by side, and only the
        // short index look-ups and the group's publish and commit are serialised.
        if (toFetch.Count > 0)
        {
            InFlightBatch? inFlight = null;
            try
            {
                AdaptiveBatchLimit limit = await WithArchiveAsync(() => LimitFor(key), cancellationToken);
                foreach (List<ServerMessage> batch in Batches(toFetch, limit))
                    inFlight = await FetchBatchAsync(account, reader, mailbox, uidValidity, batch, inFlight, limit, report, earlier, repair, cancellationToken);
                if (inFlight is not null)
                {
                    await FinishDurableAsync(inFlight, report);
                    if (account.Policy.Mode == ServerPolicyMode.Delete)
                        await RemoveAsync(reader, inFlight.Archived, report, cancellationToken);
                }
            }
            finally
            {
                // Whatever stopped the loop (an error, Ctrl+C), a batch still being made durable is finished, so
                // that nothing renames files into cur/ after this returns.
                if (inFlight is not null)
                    await TryFinishDurableAsync(inFlight, report);
            }
        }

        foreach (LostMessage lost in repair.Lost())
        {
            report.Lost.Add(lost);
            logger.LogError("{Account} {Mailbox}: lost: {Lost}", account.Name, mailbox, lost);
        }

        if (known != uidValidity)
            await WithArchiveAsync(() => archive.Index.SetUidValidity(key, mailbox, uidValidity), cancellationToken);

        if (account.Policy.Mode == ServerPolicyMode.DeleteOlderThan)
        {
            DateTimeOffset cutoff = Clock.GetUtcNow().AddDays(-account.Policy.DeleteAfterDays);
            HashSet<string> old = await WithArchiveAsync(() => archive.Index.ArchivedServerIdsReceivedBefore(key, mailbox, uidValidity, cutoff), cancellationToken);
            var expired = listedForExpiry.Where(m => old.Contains(m.ServerId)).ToList();
            if (expired.Count > 0)
                await RemoveAsync(reader, expired, report, cancellationToken);
        }
    }

    /// <summary>
    /// After a UIDVALIDITY change every UID is new. Messages whose Message-ID and size match exactly one file
    /// this mailbox archived before are linked to it without a download; the rest are downloaded, and the
    /// content hash still keeps byte-identical ones from being stored twice.
    /// </summary>
    private async Task<IReadOnlyList<ServerMessage>> RemapAsync(string key, string mailbox, uint uidValidity, IReadOnlyList<ServerMessage> described, AccountReport report, CancellationToken cancellationToken)
    {
        var byIdAndSize = await WithArchiveAsync(() => archive.Index.FilesByMessageIdAndSize(key, mailbox), cancellationToken);
        var rest = new List<ServerMessage>();
        var linked = new List<(ServerMessage Message, string File)>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (ServerMessage m in described)
        {
            if (m.MessageId is not null && byIdAndSize.TryGetValue((m.MessageId, m.Size), out List<string>? files) && files.Count == 1 && used.Add(files[0]))
                linked.Add((m, files[0]));
            else
                rest.Add(m);
        }

        await WithArchiveAsync(() =>
        {
            ArchiveBatch batch = archive.BeginBatch();
            foreach (var (m, file) in linked)
                batch.Link(key, mailbox, uidValidity, m.ServerId, file);
            batch.Commit();
        }, cancellationToken);
        report.AlreadyHad += linked.Count(l => report.CountOnce(mailbox, l.Message.ServerId));
        logger.LogInformation("{Account} {Mailbox}: re-mapped {Linked} messages without downloading; {Rest} to check by content.", key, mailbox, linked.Count, rest.Count);
        return rest;
    }

    /// <summary>
    /// Downloads one batch into tmp/ while the previous batch's files are made durable; then commits the previous
    /// batch's index rows (and deletes its messages on the server, with the delete policy) and starts making this
    /// batch durable. Returns this batch, in flight.
    /// <para>
    /// When the download breaks (a connection reset half-way), the messages already complete are not thrown away:
    /// the previous batch and then the complete part of this one are made durable and committed before the run
    /// gives up, so that a link that never carries a whole batch still moves forward (issue 11). They are not
    /// deleted from the server now (the connection is gone); the next pass finds them archived and deletes them
    /// first. The batch limit halves, so the next attempt asks for less.
    /// </para>
    /// </summary>
    /// <param name="earlier">After a UIDVALIDITY change: the files this mailbox archived before, by fingerprint (see <see cref="DownloadAsync"/>).</param>
    private async Task<InFlightBatch> FetchBatchAsync(AccountSpec account, IMailboxReader reader, string mailbox, uint uidValidity, List<ServerMessage> batch, InFlightBatch? previous, AdaptiveBatchLimit limit, AccountReport report, IReadOnlyDictionary<string, string>? earlier, MailboxRepair repair, CancellationToken cancellationToken)
    {
        var current = new InFlightBatch(archive.BeginBatch(), mailbox);
        try
        {
            await DownloadAsync(account, reader, mailbox, uidValidity, batch, current, report, earlier, repair, cancellationToken);
        }
        catch
        {
            limit.Failed();

            // Order is important: the previous batch first, since this one may link to one of its files; and this
            // one only if the previous one made it (else a row could name a file that is not on disk).
            bool previousKept = previous is null || await TryFinishDurableAsync(previous, report);
            if (previousKept && current.Batch.Count > 0)
            {
                int complete = current.Archived.Count;
                current.Published = committer.CommitAsync(current.Batch, () => options.AfterStep?.Invoke(FetchStep.FilesDurable));
                if (await TryFinishDurableAsync(current, report))
                    logger.LogInformation("{Account} {Mailbox}: the download broke off after {Complete} of {Count} message(s); those are archived, the next batch takes at most {Limit}.", account.Name, mailbox, complete, batch.Count, limit.Messages);
            }
            else
            {
                current.Batch.Abandon();
            }

            throw;
        }

        limit.Succeeded();

        if (previous is not null)
        {
            try
            {
                await FinishDurableAsync(previous, report);
            }
            catch
            {
                current.Batch.Abandon(); // it may link to a file of the previous batch
                throw;
            }
        }

        // Only now, with files and index rows on disk, may the server forget the previous batch's messages.
        if (previous is not null && account.Policy.Mode == ServerPolicyMode.Delete)
        {
            try
            {
                await RemoveAsync(reader, previous.Archived, report, cancellationToken);
            }
            catch
            {
                current.Batch.Abandon();
                throw;
            }
        }

        current.Published = committer.CommitAsync(current.Batch, () => options.AfterStep?.Invoke(FetchStep.FilesDurable));
        return current;
    }

    /// <param name="earlier">
    /// After a UIDVALIDITY change: files this mailbox archived under the old one, by message identity. A download that
    /// is the same message as one of them (the same fingerprint: it differs at most in the delivery trace on top, as
    /// when a server rebuilds a mailbox) is linked to that file instead of being stored a second time, which a
    /// replay would deliver twice.
    /// </param>
    private async Task DownloadAsync(AccountSpec account, IMailboxReader reader, string mailbox, uint uidValidity, List<ServerMessage> batch, InFlightBatch current, AccountReport report, IReadOnlyDictionary<string, string>? earlier, MailboxRepair repair, CancellationToken cancellationToken)
    {
        // Every message of the batch ends archived or here, with the reason; none is silently dropped.
        var notArchived = new Dictionary<ServerMessage, string>();

        // Complete downloads (non-empty) whose size differs from the announced one, with their first SHA-256.
        var mismatched = new Dictionary<ServerMessage, string>();

        // Staging stores the bytes (any thread, any order); settling decides what they are (one at a time).
        Task<StagedMessage> Stage(ServerMessage message, Stream content, CancellationToken ct)
        {
            // A server that announced a size and then sends without end must not fill the disk; the generous
            // slack leaves room for servers whose sizes are estimates (the check below tells those apart).
            Stream bounded = message.Size < 0 ? content : new BoundedReadStream(content, DownloadLimit(message.Size),
                limit => new OverlongServerInputException($"{mailbox} {message.ServerId}: the server announced {message.Size} bytes and sent more than {limit}: not a mail server, or a broken one"));
            return archive.Writer.StageAsync(bounded, message.InternalDate, ct);
        }

        async Task Sink(ServerMessage message, Stream content, CancellationToken ct) =>
            await Settle(message, await Stage(message, content, ct), ct);

        async Task Settle(ServerMessage message, StagedMessage staged, CancellationToken ct)
        {
            string? problem = DownloadProblem(message, staged.Size);
            long? serverSize = message.Size >= 0 ? message.Size : null;
            if (problem is not null && staged.Size > 0 && mismatched.GetValueOrDefault(message) == staged.Sha256)
            {
                // The same bytes twice: the announced size is the server's estimate, not a short download. Exchange's
                // RFC822.SIZE is one, and POP3 servers that store LF line ends count those. Refusing such a message
                // would leave it unarchived for ever. Its server size is not recorded, so verify does not flag it.
                report.Warnings.Add($"{mailbox} {message.ServerId}: the server announced {message.Size} bytes and sent {staged.Size}, twice the same; archived as sent");
                logger.LogWarning("{Account} {Mailbox}: message {Id}: the server announced {Announced} bytes and sent {Sent} twice; archived as sent.", account.Name, mailbox, message.ServerId, message.Size, staged.Size);
                problem = null;
                serverSize = null;
            }

            if (problem is not null)
            {
                // Empty or not what the server announced: never archived (a file would pass for the message). A
                // complete but different-size download is asked for once more below.
                if (staged.Size > 0 && !mismatched.ContainsKey(message))
                    mismatched[message] = staged.Sha256;
                MaildirWriter.Discard(staged);
                notArchived[message] = problem;
                return;
            }

            // Self-repair: these bytes are a missing or damaged file's, by its recorded SHA-256; put it back.
            if (repair.TryRestore(staged) is { } restored)
            {
                current.Batch.Link(account.Endpoint.AccountKey, mailbox, uidValidity, reader.HasStableIds ? message.ServerId : "sha256:" + staged.Sha256, restored);
                current.Archived.Add(message);
                current.Restored++;
                report.Repaired++;
                lock (restoredFiles)
                    restoredFiles.Add(restored);
                logger.LogWarning("{Account} {Mailbox}: message {Id}: the archived file {File} was missing or damaged; downloaded again and put back.", account.Name, mailbox, message.ServerId, restored);
                observer?.MessageDone(account.Name, staged.Size, false);
                return;
            }

            if (repair.IsTarget(message))
            {
                // The server's message is no longer the bytes archived under its id: never stored in their place.
                MaildirWriter.Discard(staged);
                notArchived[message] = $"the archived file is missing or damaged and the server's copy is not the archived message (SHA-256 {staged.Sha256}, {repair.ExpectedSha(message)} recorded); not repaired";
                return;
            }

            if (earlier is not null && staged.Fingerprint is { } fingerprint && earlier.TryGetValue(fingerprint, out string? same))
            {
                MaildirWriter.Discard(staged);
                current.Batch.Link(account.Endpoint.AccountKey, mailbox, uidValidity, message.ServerId, same);
                current.Archived.Add(message);
                observer?.MessageDone(account.Name, staged.Size, false);
                return;
            }

            bool isNew;
            try
            {
                // The look-up of the content in the index is the only part of a download that needs the archive.
                isNew = await WithArchiveAsync(() => current.Batch.Add(staged, account.Endpoint.AccountKey, mailbox, uidValidity, reader.HasStableIds ? message.ServerId : null, serverSize), ct);
            }
            catch
            {
                MaildirWriter.Discard(staged); // not in the batch yet, so Abandon would not close its open file
                throw;
            }

            options.AfterStep?.Invoke(FetchStep.Staged);
            current.Archived.Add(message);
            current.Bytes += staged.Size;
            if (isNew)
                current.Fresh++;
            observer?.MessageDone(account.Name, staged.Size, isNew);
        }

        try
        {
            await DownloadReadingAheadAsync(reader, batch, new ReadAheadSink<StagedMessage>(Stage, Settle, MaildirWriter.Discard, cancellationToken), cancellationToken);
        }
        catch (Exception e) when (e is ImapCommandException or Pop3CommandException or MessageNotFoundException && !ProviderThrottling.IsThrottling(e))
        {
            // The server refused the batch (or a message of it); find the message(s) it cannot deliver, keep the rest.
            foreach (ServerMessage message in batch.Where(m => !current.Archived.Contains(m) && !notArchived.ContainsKey(m)))
            {
                if (batch.Count == 1)
                {
                    notArchived[message] = e.Message;
                    break;
                }

                try
                {
                    await reader.DownloadAsync([message], Sink, cancellationToken);
                }
                catch (Exception single) when (single is ImapCommandException or Pop3CommandException or MessageNotFoundException && !ProviderThrottling.IsThrottling(single))
                {
                    notArchived[message] = single.Message;
                }
            }
        }

        // A size that differs from the announced one: a second download tells an estimate (the same bytes again)
        // from a broken transfer.
        foreach (ServerMessage message in mismatched.Keys.Where(notArchived.ContainsKey).ToList())
        {
            notArchived.Remove(message);
            try
            {
                await reader.DownloadAsync([message], Sink, cancellationToken);
            }
            catch (Exception e) when (e is ImapCommandException or Pop3CommandException or MessageNotFoundException && !ProviderThrottling.IsThrottling(e))
            {
                notArchived[message] = e.Message;
            }
        }

        // A message the server answered with OK but no data (RFC 9051 lets a server omit a FETCH response for
        // a message expunged meanwhile; a broken server just does).
        foreach (ServerMessage message in batch.Where(m => !current.Archived.Contains(m) && !notArchived.ContainsKey(m)))
            notArchived[message] = "the server answered the download without sending the message";
        if (notArchived.Count > 0)
            await SettleNotArchivedAsync(account, reader, mailbox, notArchived, report, cancellationToken);
    }

    /// <summary>
    /// The batch's download with the sink one message behind the socket (<see cref="ReadAheadSink{TStaged}"/>). Order is
    /// important: the sink has seen every received message before this returns or throws, since the caller then
    /// reads what it did. A failure of the sink (the archive's: disk full, the index) wins over the download's.
    /// </summary>
    private static async Task DownloadReadingAheadAsync(IMailboxReader reader, List<ServerMessage> batch, ReadAheadSink<StagedMessage> readAhead, CancellationToken cancellationToken)
    {
        ExceptionDispatchInfo? downloadFailure = null;
        try
        {
            await reader.DownloadAsync(batch, readAhead.Sink, cancellationToken);
        }
        catch (Exception e)
        {
            downloadFailure = ExceptionDispatchInfo.Capture(e);
        }

        await readAhead.CompleteAsync();
        downloadFailure?.Throw();
    }

    /// <summary>The most bytes accepted for a message announced as <paramref name="announced"/>: twice that and 1 MiB more.</summary>
    internal static long DownloadLimit(long announced) => (2 * announced) + (1024 * 1024);

    /// <summary>
    /// The server announces each message's size (IMAP RFC822.SIZE, RFC 9051 §7.5.2; POP3 LIST, RFC 1939 §5);
    /// the download must match it. Null when it does.
    /// </summary>
    private static string? DownloadProblem(ServerMessage message, long received)
    {
        if (received == 0)
            return message.Size > 0 ? $"the server sent 0 bytes of the {message.Size} it announced" : "the server sent an empty message";
        if (message.Size >= 0 && received != message.Size)
            return $"the server sent {received} bytes but announced {message.Size}";
        return null;
    }

    /// <summary>
    /// Sorts messages that were not archived: gone from the mailbox means another session expunged them between
    /// listing and download (vanished: nothing to fetch, no failure, and the next pass does not list them); still
    /// there means the server failed to send them (a failure, fetched again next pass).
    /// </summary>
    private async Task SettleNotArchivedAsync(AccountSpec account, IMailboxReader reader, string mailbox, Dictionary<ServerMessage, string> notArchived, AccountReport report, CancellationToken cancellationToken)
    {
        IReadOnlySet<string> stillThere = await reader.StillThereAsync([.. notArchived.Keys], cancellationToken);
        foreach (var (message, problem) in notArchived.OrderBy(p => p.Key.Index))
        {
            if (!stillThere.Contains(message.ServerId))
            {
                report.Vanished++;
                logger.LogInformation("{Account} {Mailbox}: message {Id} was expunged on the server before its download; not archived.", account.Name, mailbox, message.ServerId);
                continue;
            }

            report.Failures.Add($"{mailbox} {message.ServerId}: {problem}; not archived, tried again on the next pass");
            logger.LogError("{Account} {Mailbox}: message {Id} could not be fetched: {Error}", account.Name, mailbox, message.ServerId, problem);
        }
    }

    /// <summary>Waits until the batch's files are durable, then commits its index rows (once).</summary>
    private async Task FinishDurableAsync(InFlightBatch b, AccountReport report)
    {
        if (b.Finished)
            return;
        b.Finished = true;
        try
        {
            await b.Published; // files durable and rows committed, in this batch's group
            b.Committed = true;
        }
        catch
        {
            b.Batch.Abandon();
            throw;
        }

        // A pass retried after a failure lists what an earlier pass archived again: each server message counts once.
        int firstSeen = b.Archived.Count(m => report.CountOnce(b.Mailbox, m.ServerId));
        report.Fetched += b.Fresh;
        report.AlreadyHad += Math.Max(0, firstSeen - b.Fresh - b.Restored);
        report.Bytes += b.Bytes;
        options.AfterStep?.Invoke(FetchStep.Indexed);
    }

    /// <summary>
    /// <see cref="FinishDurableAsync"/> on the way out of a failure: the first error is the one reported. True when
    /// the batch is committed.
    /// </summary>
    private async Task<bool> TryFinishDurableAsync(InFlightBatch b, AccountReport report)
    {
        try
        {
            await FinishDurableAsync(b, report);
            return b.Committed;
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "a batch could not be made durable either");
            return false;
        }
    }

    private async Task RemoveAsync(IMailboxReader reader, IReadOnlyList<ServerMessage> messages, AccountReport report, CancellationToken cancellationToken)
    {
        await reader.RemoveAsync(messages, cancellationToken);
        options.AfterStep?.Invoke(FetchStep.Removed);
        report.Removed += messages.Count;
    }

    /// <summary>
    /// Cuts the messages into batches as they are asked for (lazily), each by the limit as it is then: a failure
    /// in one batch makes the next smaller.
    /// </summary>
    private static IEnumerable<List<ServerMessage>> Batches(IReadOnlyList<ServerMessage> messages, AdaptiveBatchLimit limit)
    {
        var batch = new List<ServerMessage>();
        long bytes = 0;
        foreach (ServerMessage m in messages)
        {
            if (limit.IsFull(batch.Count, bytes, m.Size))
            {
                yield return batch;
                batch = [];
                bytes = 0;
            }

            batch.Add(m);
            bytes += Math.Max(0, m.Size);
        }

        if (batch.Count > 0)
            yield return batch;
    }

    /// <summary>
    /// The account's batch limit: learnt by earlier passes of this process, or new; a new one starts small when the
    /// account's last recorded pass failed (a bad link is likely still bad). The caller holds the archive gate (index read).
    /// </summary>
    private AdaptiveBatchLimit LimitFor(string account)
    {
        lock (limits)
        {
            if (!limits.TryGetValue(account, out AdaptiveBatchLimit? limit))
                limits[account] = limit = new AdaptiveBatchLimit(options.BatchMessages, options.BatchBytes, archive.Index.LastPassFailed(account));
            return limit;
        }
    }

    private async Task<T> WithArchiveAsync<T>(Func<T> action, CancellationToken cancellationToken)
    {
        await archiveGate.WaitAsync(cancellationToken);
        try
        {
            return action();
        }
        finally
        {
            archiveGate.Release();
        }
    }

    private async Task<T> WithArchiveAwaitAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        await archiveGate.WaitAsync(cancellationToken);
        try
        {
            return await action();
        }
        finally
        {
            archiveGate.Release();
        }
    }

    private Task WithArchiveAsync(Action action, CancellationToken cancellationToken) =>
        WithArchiveAsync(() =>
        {
            action();
            return true;
        }, cancellationToken);

    private async Task TryRecordErrorAsync(AccountSpec account, MailRecoveryException error)
    {
        if (error.Scope == FailureScope.Archive)
            return; // the archive itself is the problem; writing to it would fail too
        try
        {
            await WithArchiveAsync(() => archive.Index.RecordAccountError(account.Endpoint.AccountKey, Clock.GetUtcNow(), error.Message), CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            logger.LogDebug(e, "could not record the error in the index");
        }
    }

    /// <summary>A downloaded batch whose files are being made durable while the next batch downloads.</summary>
    private sealed class InFlightBatch(ArchiveBatch batch, string mailbox)
    {
        public ArchiveBatch Batch { get; } = batch;

        public string Mailbox { get; } = mailbox;

        public Task Published { get; set; } = Task.CompletedTask;

        public List<ServerMessage> Archived { get; } = [];

        public int Fresh { get; set; }

        /// <summary>Downloads that put a missing or damaged file back (counted in the report as they happen).</summary>
        public int Restored { get; set; }

        public long Bytes { get; set; }

        public bool Finished { get; set; }

        public bool Committed { get; set; }
    }
}
