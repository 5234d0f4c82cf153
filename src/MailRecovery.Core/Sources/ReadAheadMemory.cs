namespace MailRecovery.Core.Sources;

/// <summary>
/// The memory every <see cref="ReadAheadSink{TStaged}"/> of the process shares: at most <see cref="Budget"/> bytes
/// of received messages waiting to be staged and <see cref="MaxStaging"/> messages staged at once, however many
/// accounts download side by side (a watch fleet), in 64 KiB chunks that are reused, never more than the budget
/// of them kept. Issue 15: a 100,000-message fetch must peak under 80 MB; large arrays from the shared pool (each
/// size kept per core and per thread) added ~10 MB to it, fixed-size chunks keep it at the budget.
/// </summary>
internal static class ReadAheadMemory
{
    /// <summary>Chunk size: under the runtime's large-object threshold, and a useful disk write.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>Bytes received and not yet staged, at most, across the process (a message is let in when nothing is held).</summary>
    public const long Budget = 2 * 1024 * 1024;

    /// <summary>Messages staged side by side, at most: writing and hashing are most of a fetch's CPU (issue 15's profile).</summary>
    public static readonly int MaxStaging = Math.Clamp(Environment.ProcessorCount, 1, 4);

    private static readonly object Gate = new();
    private static readonly Stack<byte[]> FreeChunks = new();
    private static long held;
    private static int staging;
    private static TaskCompletionSource? freed;

    /// <summary>Waits until <paramref name="bytes"/> more fit the budget and a staging slot is free, and takes both.</summary>
    public static async Task ReserveAsync(long bytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (Gate)
            {
                if (staging == 0 || (held + bytes <= Budget && staging < MaxStaging))
                {
                    held += bytes;
                    staging++;
                    return;
                }

                freed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = freed.Task;
            }

            await wait.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Gives back what <see cref="ReserveAsync"/> took, once the message is staged.</summary>
    public static void Release(long bytes)
    {
        lock (Gate)
        {
            held -= bytes;
            staging--;
            freed?.TrySetResult();
            freed = null;
        }
    }

    public static byte[] RentChunk()
    {
        lock (Gate)
        {
            if (FreeChunks.TryPop(out byte[]? chunk))
                return chunk;
        }

        return new byte[ChunkSize];
    }

    public static void ReturnChunks(List<byte[]> chunks)
    {
        lock (Gate)
        {
            foreach (byte[] chunk in chunks)
            {
                if (FreeChunks.Count * (long)ChunkSize < Budget)
                    FreeChunks.Push(chunk);
            }
        }

        chunks.Clear();
    }
}
