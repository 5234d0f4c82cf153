using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Core.Fetch;

/// <summary>
/// One account's IDLE connection, kept open across passes. It is armed before each pass, so that mail arriving
/// while the pass runs (after the pass listed the mailbox) wakes the next pass at once instead of after the poll
/// interval: the blind spot a fresh IDLE connection per wait had, since its SELECT counts such mail as old.
/// </summary>
internal sealed class NewMailWatcher(AccountSpec account, Func<AccountSpec, IMessageSource> sourceFactory, WatchOptions options, TimeProvider clock, ILogger logger) : IAsyncDisposable
{
    private IMessageSource? source;
    private bool cannotPush = !options.UseIdle || !account.Endpoint.Capabilities.CanPush;

    private string Mailbox => account.Endpoint.Mailboxes[0];

    /// <summary>
    /// The armed IDLE connection, for the pass to use (null when there is none, or when the account has several
    /// mailboxes: a pass would select another one and leave IDLE on the wrong mailbox). The pass runs between
    /// <see cref="ArmAsync"/> and <see cref="WaitAsync"/>, on the same task, so the connection is never used twice
    /// at once; mail that arrives during the pass shows in this connection's view of the mailbox and wakes the next.
    /// </summary>
    public IMessageSource? ForPass => cannotPush || account.Endpoint.Mailboxes.Count != 1 ? null : source;

    /// <summary>Arms the watch just before a pass; a failure is logged and the wait falls back to a short delay.</summary>
    public async Task ArmAsync(CancellationToken cancellationToken)
    {
        if (cannotPush)
            return;
        try
        {
            if (source is null)
            {
                source = sourceFactory(account);
                await source.ConnectAsync(cancellationToken);
            }

            if (!await source.StartWatchingAsync(Mailbox, cancellationToken))
            {
                cannotPush = true; // no IDLE on this server: poll
                await DropAsync();
                return;
            }

            options.Observer?.IdleChanged(account.Name, true);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Warn(e);
            await DropAsync();
        }
    }

    /// <summary>Waits after a pass until mail arrived (during the pass or since) or the poll interval passed.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (cannotPush)
        {
            await Task.Delay(options.PollInterval, clock, cancellationToken);
            return;
        }

        if (source is null)
        {
            // Arming failed: the IDLE connection is tried again before the next pass.
            await Task.Delay(options.RetryDelay, clock, cancellationToken);
            return;
        }

        try
        {
            if (!await source.WaitForNewMailAsync(Mailbox, options.PollInterval, cancellationToken))
                await Task.Delay(options.PollInterval, clock, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Warn(e);
            await DropAsync();
            await Task.Delay(options.RetryDelay, clock, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await DropAsync();

    private void Warn(Exception e)
    {
        MailRecoveryException error = ErrorClassifier.Classify(e, $"{account.Name} (IDLE)");
        logger.LogWarning("{Error} Polling again in {Delay} s.", error.Message, options.RetryDelay.TotalSeconds);
    }

    private async Task DropAsync()
    {
        if (source is null)
            return;
        IMessageSource gone = source;
        source = null;
        options.Observer?.IdleChanged(account.Name, false);
        await gone.DisposeAsync();
    }
}
