using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace MailRecovery.Core.Sources;

/// <summary>
/// The TCP connection under a MailKit client, opened by <see cref="MailServiceConnector"/>: reads the socket 64 KiB at
/// a time and hands MailKit its 4 KiB reads from memory, and cuts off a read or write that takes longer than
/// <see cref="ReadTimeout"/>/<see cref="WriteTimeout"/> (which MailKit sets, and lifts during IDLE). Issue 15's
/// profile: MailKit's own socket stream makes one receive system call, two cancellation sources and a timer per 4 KiB,
/// ~21,500 of them for a 2,000-message IMAP fetch; this makes ~1,400 receives. TLS, when asked for, is MailKit's
/// SslStream over this stream, so certificate checks and STARTTLS are unchanged.
/// </summary>
internal sealed class SocketTransport : Stream
{
    private const int BufferSize = 64 * 1024;

    private readonly Socket socket;

    /// <summary>Rented for a receive and given back once read: an idle connection (IDLE, 1,000 of them in a fleet) holds none.</summary>
    private byte[]? buffer;
    private int start;
    private int end;
    private int readTimeout;
    private int writeTimeout;
    private bool disposed;

    private SocketTransport(Socket socket, TimeSpan timeout)
    {
        this.socket = socket;
        readTimeout = writeTimeout = (int)timeout.TotalMilliseconds;
    }

    /// <summary>Connects to <paramref name="host"/> (any of its addresses, IPv4 or IPv6), waiting at most <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">No connection within the timeout.</exception>
    /// <exception cref="SocketException">Refused, unreachable, or the name does not resolve.</exception>
    public static async Task<SocketTransport> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(new DnsEndPoint(host, port), deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{host}:{port} did not accept a connection within {timeout.TotalSeconds:0} s");
            }

            return new SocketTransport(socket, timeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether a receive buffer is held now: only while received bytes wait to be read.</summary>
    internal bool HoldsBuffer => buffer is not null;

    public override bool CanRead => !disposed;

    public override bool CanWrite => !disposed;

    public override bool CanSeek => false;

    public override bool CanTimeout => true;

    public override int ReadTimeout
    {
        get => readTimeout;
        set => readTimeout = value;
    }

    public override int WriteTimeout
    {
        get => writeTimeout;
        set => writeTimeout = value;
    }

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        if (start == end)
        {
            socket.ReceiveTimeout = readTimeout == Timeout.Infinite ? 0 : readTimeout;
            try
            {
                socket.Receive(Span<byte>.Empty); // waits for data without holding a buffer
                buffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
                end = socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                throw new TimeoutException($"the server sent nothing for {readTimeout / 1000} s", e);
            }
            catch (SocketException e)
            {
                throw new IOException(e.Message, e);
            }

            start = 0;
        }

        return Take(destination);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default) =>
        start < end ? ValueTask.FromResult(Take(destination.Span)) : FillAndReadAsync(destination, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> source)
    {
        socket.SendTimeout = writeTimeout == Timeout.Infinite ? 0 : writeTimeout;
        try
        {
            while (source.Length > 0)
                source = source[socket.Send(source)..];
        }
        catch (SocketException e)
        {
            throw new IOException(e.Message, e);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
        await TimedAsync(writeTimeout, async t =>
        {
            while (source.Length > 0)
                source = source[await socket.SendAsync(source, SocketFlags.None, t)..];
            return 0;
        }, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;

            // A graceful end first (FIN), as MailKit's own stream does: disposing a socket with a read still pending
            // (a QUIT whose reply never came) is otherwise an abortive close, and the server sees a reset.
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // not connected any more
            }

            socket.Dispose();
            buffer = null; // not given back to the pool: a receive cut short by the close may still be writing into it
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> FillAndReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        // Order is important: wait for data with a zero-byte receive first, then rent the buffer; a connection that
        // waits minutes for a server (IDLE) holds no 64 KiB meanwhile.
        await TimedAsync(readTimeout, t => socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, t), cancellationToken);
        buffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        end = await TimedAsync(readTimeout, t => socket.ReceiveAsync(buffer.AsMemory(0, BufferSize), SocketFlags.None, t), cancellationToken);
        start = 0;
        return Take(destination.Span);
    }

    private int Take(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, end - start);
        if (n > 0)
            buffer.AsSpan(start, n).CopyTo(destination);
        start += n;
        if (start == end && buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
            start = end = 0;
        }

        return n;
    }

    /// <summary>One socket operation, cut off after <paramref name="timeoutMs"/> (a stalled server becomes a <see cref="TimeoutException"/>).</summary>
    private static async ValueTask<int> TimedAsync(int timeoutMs, Func<CancellationToken, ValueTask<int>> operation, CancellationToken cancellationToken)
    {
        if (timeoutMs == Timeout.Infinite && !cancellationToken.CanBeCanceled)
            return await Wrapped(operation(CancellationToken.None));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeoutMs != Timeout.Infinite)
            deadline.CancelAfter(timeoutMs);
        try
        {
            return await Wrapped(operation(deadline.Token));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the server did not respond within {timeoutMs / 1000} s", e);
        }
    }

    private static async ValueTask<int> Wrapped(ValueTask<int> operation)
    {
        try
        {
            return await operation;
        }
        catch (SocketException e)
        {
            throw new IOException(e.Message, e);
        }
    }
}
