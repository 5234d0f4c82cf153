using System.Net;
using System.Net.Sockets;
using MailRecovery.Core.Sources;

namespace MailRecovery.Tests.Sources;

/// <summary>The connection under every MailKit client, against a local TCP peer that sends, stalls or listens.</summary>
public sealed class SocketTransportTests
{
    [Fact]
    public async Task Small_reads_return_exactly_the_bytes_sent_across_many_receives()
    {
        using var listener = Listen();
        byte[] sent = new byte[300_000];
        new Random(7).NextBytes(sent);
        Task serve = Task.Run(async () =>
        {
            using Socket peer = await listener.AcceptSocketAsync();
            for (int i = 0; i < sent.Length; i += 10_000)
            {
                await peer.SendAsync(sent.AsMemory(i, Math.Min(10_000, sent.Length - i)));
                await Task.Delay(1);
            }

            peer.Shutdown(SocketShutdown.Send);
        });

        await using SocketTransport transport = await Connect(listener);
        using var received = new MemoryStream();
        byte[] block = new byte[4096]; // MailKit's read size
        int n;
        while ((n = await transport.ReadAsync(block)) > 0)
            received.Write(block, 0, n);
        await serve;

        Assert.Equal(sent, received.ToArray());
    }

    [Fact]
    public async Task A_silent_server_is_a_timeout_after_the_read_timeout()
    {
        using var listener = Listen();
        Task<Socket> accepted = listener.AcceptSocketAsync();
        await using SocketTransport transport = await Connect(listener);
        using Socket peer = await accepted;
        transport.ReadTimeout = 300;

        var started = DateTime.UtcNow;
        await Assert.ThrowsAsync<TimeoutException>(async () => _ = await transport.ReadAsync(new byte[10]));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Without_a_timeout_as_in_IDLE_only_the_callers_cancellation_ends_a_read()
    {
        using var listener = Listen();
        Task<Socket> accepted = listener.AcceptSocketAsync();
        await using SocketTransport transport = await Connect(listener);
        using Socket peer = await accepted;
        transport.ReadTimeout = Timeout.Infinite;

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => _ = await transport.ReadAsync(new byte[10], cancel.Token));
    }

    [Fact]
    public async Task A_connection_waiting_for_data_holds_no_receive_buffer_and_gives_it_back_once_read()
    {
        using var listener = Listen();
        Task<Socket> accepted = listener.AcceptSocketAsync();
        await using SocketTransport transport = await Connect(listener);
        using Socket peer = await accepted;
        transport.ReadTimeout = Timeout.Infinite; // as in IDLE
        byte[] block = new byte[4];

        Task<int> waiting = transport.ReadAsync(block).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        Assert.False(transport.HoldsBuffer); // 1,000 IDLE accounts would otherwise hold 64 KiB each

        await peer.SendAsync("* 3 EXISTS\r\n"u8.ToArray());
        Assert.Equal(4, await waiting);
        Assert.True(transport.HoldsBuffer); // the rest of the line waits in it
        byte[] rest = new byte[64];
        int n = await transport.ReadAsync(rest);
        Assert.Equal("* 3 EXISTS\r\n", System.Text.Encoding.ASCII.GetString(block) + System.Text.Encoding.ASCII.GetString(rest, 0, n));
        Assert.False(transport.HoldsBuffer);
    }

    [Fact]
    public async Task Closing_with_a_read_pending_ends_the_connection_gracefully_not_with_a_reset()
    {
        using var listener = Listen();
        Task<Socket> accepted = listener.AcceptSocketAsync();
        SocketTransport transport = await Connect(listener);
        using Socket peer = await accepted;
        await transport.WriteAsync("QUIT\r\n"u8.ToArray());
        Task<int> pending = transport.ReadAsync(new byte[10]).AsTask(); // a reply that never comes
        await Task.Delay(50);

        await transport.DisposeAsync();

        byte[] buffer = new byte[64];
        int total = 0, n;
        while ((n = await peer.ReceiveAsync(buffer.AsMemory(total))) > 0) // a reset would throw here
            total += n;
        Assert.Equal("QUIT\r\n", System.Text.Encoding.ASCII.GetString(buffer, 0, total));
        await Assert.ThrowsAnyAsync<Exception>(() => pending);
    }

    [Fact]
    public async Task A_refused_connection_is_a_socket_error_and_a_connect_that_hangs_a_timeout()
    {
        using var listener = Listen();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await Assert.ThrowsAsync<SocketException>(() => SocketTransport.ConnectAsync("127.0.0.1", port, TimeSpan.FromSeconds(5), CancellationToken.None));

        // 192.0.2.1 (TEST-NET-1, RFC 5737) is never routed: the connect waits until the timeout ends it, or fails at once
        // where no route exists at all; either way it does not hang.
        var started = DateTime.UtcNow;
        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => SocketTransport.ConnectAsync("192.0.2.1", 143, TimeSpan.FromMilliseconds(300), CancellationToken.None));
        Assert.True(e is TimeoutException or SocketException, e.GetType().Name);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static Task<SocketTransport> Connect(TcpListener listener) =>
        SocketTransport.ConnectAsync("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, TimeSpan.FromSeconds(5), CancellationToken.None);
}
