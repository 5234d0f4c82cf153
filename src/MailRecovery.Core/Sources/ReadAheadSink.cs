using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Sources;

/// <summary>
/// A <see cref="MessageSink"/> that keeps the download going while the archive works (issue 15's profile: a batch's
/// small messages were staged, hashed and parsed on the receiving thread, and its large ones then downloaded with
/// the disk and CPU idle). A message is taken in two steps: <c>stage</c> (store it: thread-safe, any order) and
/// <c>settle</c> (decide what it is: one at a time, in arrival order, on one worker). A message up to
/// <see cref="MaxMessageBytes"/> is copied into memory and staged on the thread pool, up to <see cref="MaxStaging"/>
/// side by side, while the next ones are received; a larger one (or one that turns out larger) is staged on the
/// receiving thread, streaming as before. Memory stays bounded by <see cref="MaxBufferedBytes"/> plus one message.
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

    /// <summary>Bytes received and not yet staged, at most (one message always fits).</summary>
    public const long MaxBufferedBytes = 4 * 1024 * 1024;

    private readonly Func<ServerMessage, Stream, CancellationToken, Task<TStaged>> stage;
    private readonly Func<ServerMessage, TStaged, CancellationToken, Task> settle;
    private readonly Action<TStaged> discard;
    private readonly CancellationToken cancellationToken;
    /// <summary>Messages staged side by side, at most: writing and hashing are most of a fetch's CPU (issue 15's profile).</summary>
    public static readonly int MaxStaging = Math.Clamp(Environment.ProcessorCount, 1, 4);

    private readonly Channel<Received> queue = Channel.CreateUnbounded<Received>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task worker;
    private readonly object room = new();
    private long buffered;
    private int staging;
    private TaskCompletionSource? roomFreed;
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

        byte[] bytes = ArrayPool<byte>.Shared.Rent(message.Size >= 0 ? Math.Max(4096, (int)message.Size) : 64 * 1024);
        int length = 0;
        try
        {
            while (true)
            {
                if (length == bytes.Length)
                {
                    if (bytes.Length >= MaxMessageBytes)
                    {
                        // Larger than announced, or no size announced: the rest streams, as it always did.
                        await StageHereAsync(message, new PrefixedStream(bytes, length, content), ct);
                        return;
                    }

                    byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(MaxMessageBytes, bytes.Length * 2));
                    bytes.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(bytes);
                    bytes = larger;
                }

                int n = await content.ReadAsync(bytes.AsMemory(length), ct);
                if (n == 0)
                    break;
                length += n;
            }

            await WaitForRoomAsync(length, ct);
            byte[] held = bytes;
            bytes = [];
            queue.Writer.TryWrite(new Received(message, Task.Run(() => StageFromMemoryAsync(message, held, length))));
        }
        finally
        {
            if (bytes.Length > 0)
                ArrayPool<byte>.Shared.Return(bytes);
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
    private async Task<TStaged> StageFromMemoryAsync(ServerMessage message, byte[] bytes, int length)
    {
        try
        {
            failure?.Throw(); // nothing more is staged after a failure
            return await stage(message, new MemoryStream(bytes, 0, length, writable: false, publiclyVisible: true), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            Release(length);
        }
    }

    private async Task WaitForRoomAsync(long bytes, CancellationToken ct)
    {
        while (true)
        {
            Task freed;
            lock (room)
            {
                if (staging == 0 || (buffered + bytes <= MaxBufferedBytes && staging < MaxStaging))
                {
                    buffered += bytes;
                    staging++;
                    return;
                }

                roomFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                freed = roomFreed.Task;
            }

            await freed.WaitAsync(ct);
        }
    }

    private void Release(long bytes)
    {
        lock (room)
        {
            buffered -= bytes;
            staging--;
            roomFreed?.TrySetResult();
            roomFreed = null;
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
