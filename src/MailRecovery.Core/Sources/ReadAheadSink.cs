using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Sources;

/// <summary>
/// A <see cref="MessageSink"/> that keeps the download going while the archive works (issue 15's profile: a batch's
/// small messages were staged, hashed and parsed on the receiving thread, and its large ones then downloaded with
/// the disk and CPU idle). A message is taken in two steps: <c>stage</c> (store it: thread-safe, any order) and
/// <c>settle</c> (decide what it is: one at a time, in arrival order, on one worker). A message up to
/// <see cref="MaxMessageBytes"/> is copied into memory and staged on the thread pool, up to
/// <see cref="ReadAheadMemory.MaxStaging"/> side by side, while the next ones are received; a larger one (or one that
/// turns out larger) is staged on the receiving thread, streaming as before. Memory stays bounded by
/// <see cref="ReadAheadMemory.Budget"/> for the whole process plus one message per download.
/// <para>
/// Order is important: <see cref="CompleteAsync"/> must be awaited before the caller looks at what the steps did.
/// After a step fails once, nothing more is staged or settled (what was staged is discarded), and the failure is
/// thrown from the next <see cref="Sink"/> call (which stops the download) or from <see cref="CompleteAsync"/>.
/// </para>
/// </summary>
/// <typeparam name="TStaged">What staging makes of a message (a file in the archive's tmp/).</typeparam>
internal sealed class ReadAheadSink<TStaged>
{
    /// <summary>Messages up to this size are read ahead (IMAP's whole-message FETCH takes up to 1 MiB).</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    private readonly Func<ServerMessage, Stream, CancellationToken, Task<TStaged>> stage;
    private readonly Func<ServerMessage, TStaged, CancellationToken, Task> settle;
    private readonly Action<TStaged> discard;
    private readonly CancellationToken cancellationToken;
    private readonly Channel<Received> queue = Channel.CreateUnbounded<Received>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task worker;
    private volatile ExceptionDispatchInfo? failure;

    /// <param name="discard">Drops a staged message that will not be settled (after a failure).</param>
    public ReadAheadSink(Func<ServerMessage, Stream, CancellationToken, Task<TStaged>> stage, Func<ServerMessage, TStaged, CancellationToken, Task> settle, Action<TStaged> discard, CancellationToken cancellationToken)
    {
        this.stage = stage;
        this.settle = settle;
        this.discard = discard;
        this.cancellationToken = cancellationToken;
        worker = Task.Run(WorkAsync, CancellationToken.None);
    }

    /// <summary>The sink to give the reader.</summary>
    public MessageSink Sink => ReceiveAsync;

    /// <summary>
    /// Waits until every received message was settled (or dropped after a failure), then throws the first failure
    /// of a step, if any. Call once, after the download returned or threw.
    /// </summary>
    public async Task CompleteAsync()
    {
        queue.Writer.TryComplete();
        await worker;
        failure?.Throw();
    }

    private async Task ReceiveAsync(ServerMessage message, Stream content, CancellationToken ct)
    {
        failure?.Throw();
        if (message.Size > MaxMessageBytes)
        {
            await StageHereAsync(message, content, ct);
            return;
        }

        var held = new ChunkedMessage();
        bool handedOver = false;
        try
        {
            int n;
            while ((n = await content.ReadAsync(held.Space(), ct)) > 0)
            {
                held.Advance(n);
                if (held.Length > MaxMessageBytes)
                {
                    // Larger than announced, or no size announced: the rest streams, as it always did.
                    await StageHereAsync(message, new PrefixedStream(held.Read(), content), ct);
                    return;
                }
            }

            await ReadAheadMemory.ReserveAsync(held.Length, ct);
            handedOver = true;
            queue.Writer.TryWrite(new Received(message, Task.Run(() => StageFromMemoryAsync(message, held))));
        }
        finally
        {
            if (!handedOver)
                held.Dispose();
        }
    }

    /// <summary>Stages a large message on the receiving thread (its stream is valid only now); the worker settles it in its turn.</summary>
    private async Task StageHereAsync(ServerMessage message, Stream content, CancellationToken ct)
    {
        TStaged staged = await stage(message, content, ct);
        if (failure is not null || !queue.Writer.TryWrite(new Received(message, Task.FromResult(staged))))
        {
            discard(staged);
            failure?.Throw();
        }
    }

    /// <summary>Stages a message held in memory (on a thread-pool thread, beside others), then gives its memory back.</summary>
    private async Task<TStaged> StageFromMemoryAsync(ServerMessage message, ChunkedMessage held)
    {
        try
        {
            failure?.Throw(); // nothing more is staged after a failure
            return await stage(message, held.Read(), cancellationToken);
        }
        finally
        {
            ReadAheadMemory.Release(held.Length);
            held.Dispose();
        }
    }

    /// <summary>Settles the messages in arrival order as their staging completes.</summary>
    private async Task WorkAsync()
    {
        await foreach (Received r in queue.Reader.ReadAllAsync(CancellationToken.None))
        {
            TStaged staged;
            try
            {
                staged = await r.Staging;
            }
            catch (Exception e)
            {
                failure ??= ExceptionDispatchInfo.Capture(e);
                continue;
            }

            if (failure is not null)
            {
                discard(staged);
                continue;
            }

            try
            {
                await settle(r.Message, staged, cancellationToken);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }
    }

    /// <summary>A message and its staging: under way on a stager, or done on the receiving thread.</summary>
    private readonly record struct Received(ServerMessage Message, Task<TStaged> Staging);
}
