using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Core.Fetch;

/// <summary>
/// <c>watch</c>'s daily <c>archive prune</c> (configuration <c>prune:olderThanDays</c>; off unless set): at start and
/// then every 24 hours, under the archive gate (no batch of this process is between its files and its commit) and
/// the replay lock. A replay that holds the lock postpones the prune by an hour; a failed prune is logged and tried
/// again the next day, and never stops the fetching.
/// </summary>
internal sealed class WatchPruneJob(MessageArchive archive, SemaphoreSlim archiveGate, int olderThanDays, int minimumDays, ILogger logger)
{
    private static readonly TimeSpan Daily = TimeSpan.FromDays(1);
    private static readonly TimeSpan AfterReplay = TimeSpan.FromHours(1);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        TimeProvider clock = archive.Clock;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan next = Daily;
            await archiveGate.WaitAsync(cancellationToken);
            try
            {
                using ArchiveLock replay = ArchiveLock.Acquire(Path.Combine(archive.Layout.DataDir, "replay.lock"), "a replay");
                PruneReport report = ArchivePruner.Prune(archive, PruneCutoff.For(clock.GetUtcNow(), olderThanDays, minimumDays));
                if (report.Messages.Count > 0 || report.LeftoversRemoved > 0)
                    logger.LogInformation("pruned {Count} message(s), {Bytes} bytes, received before {Cutoff:u}.", report.Messages.Count, report.Bytes, report.Cutoff);
            }
            catch (MailRecoveryException e) when (e.Kind == FailureKind.Usage)
            {
                logger.LogWarning("daily prune postponed by an hour: {Error}", e.UserText);
                next = AfterReplay;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or MailRecoveryException)
            {
                logger.LogError("daily prune failed, tried again tomorrow: {Error}", ErrorClassifier.Classify(e, $"archive {archive.Layout.Root}").UserText);
            }
            finally
            {
                archiveGate.Release();
            }

            await Task.Delay(next, clock, cancellationToken);
        }
    }
}
