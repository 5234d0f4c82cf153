using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Core.Fetch;

/// <summary>
/// Fetches continuously until cancelled: a pass per account, then IMAP IDLE until the server announces mail
/// (or the poll interval passes), or a plain wait for POP3. Every account runs on its own; a failing one
/// (server restarted, password changed) is logged each time and retried, and never stops the others.
/// </summary>
public sealed class WatchRun
{
    private readonly FetchRun fetch;
    private readonly Func<AccountSpec, IMessageSource> sourceFactory;
    private readonly WatchOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger logger;

    public WatchRun(MessageArchive archive, Func<AccountSpec, IMessageSource> sourceFactory, FetchOptions fetchOptions, WatchOptions options, ILogger logger, IFetchObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        fetch = new FetchRun(archive, sourceFactory, fetchOptions, logger, observer, new SemaphoreSlim(1, 1));
        this.sourceFactory = sourceFactory;
        this.options = options;
        clock = archive.Clock;
        this.logger = logger;
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (Ctrl+C, SIGTERM).</summary>
    public async Task RunAsync(IReadOnlyList<AccountSpec> accounts, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(accounts.Select(a => WatchAccountAsync(a, cancellationToken)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("watch stopped.");
        }
    }

    private async Task WatchAccountAsync(AccountSpec account, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            AccountReport report = await fetch.FetchAccountAsync(account, cancellationToken);
            if (report.Error is not null)
            {
                if (report.Error.Scope == FailureScope.Archive)
                    throw report.Error; // a full disk stops watch: say so and let the supervisor restart it later
                await Task.Delay(report.Error.IsTransient ? options.RetryDelay : options.PollInterval, clock, cancellationToken);
                continue;
            }

            if (report.Fetched > 0 || report.Removed > 0)
                logger.LogInformation("{Account}: archived {Fetched} new message(s), {Bytes} bytes; removed {Removed} from the server.", account.Name, report.Fetched, report.Bytes, report.Removed);
            await WaitForMailAsync(account, cancellationToken);
        }
    }

    private async Task WaitForMailAsync(AccountSpec account, CancellationToken cancellationToken)
    {
        if (!options.UseIdle || account.Endpoint.Protocol != MailProtocol.Imap)
        {
            await Task.Delay(options.PollInterval, clock, cancellationToken);
            return;
        }

        try
        {
            await using IMessageSource source = sourceFactory(account);
            await source.ConnectAsync(cancellationToken);
            if (!await source.WaitForNewMailAsync(account.Endpoint.Mailboxes[0], options.PollInterval, cancellationToken))
                await Task.Delay(options.PollInterval, clock, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            MailRecoveryException error = ErrorClassifier.Classify(e, $"{account.Name} (IDLE)");
            logger.LogWarning("{Error} Polling again in {Delay} s.", error.Message, options.RetryDelay.TotalSeconds);
            await Task.Delay(options.RetryDelay, clock, cancellationToken);
        }
    }
}
