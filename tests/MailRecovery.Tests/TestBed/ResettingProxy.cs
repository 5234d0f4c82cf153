using System.Net;
using System.Net.Sockets;

namespace MailRecovery.Tests.TestBed;

/// <summary>
/// A bad link, scripted: a byte relay on 127.0.0.1 in front of a bed port that resets each connection (TCP RST,
/// both sides) as soon as it has relayed <c>resetAfter</c> bytes in one direction, the way a flaky NAT or a
/// broken middlebox does. TLS passes through untouched. Bounded: it relays at most <c>maxConnections</c>
/// connections and refuses the rest, so a client that never gets anywhere cannot make a test run for ever.
/// </summary>
public sealed class ResettingProxy : IAsyncDisposable
{
    /// <summary>How long the last bytes before a reset have to reach the client's application.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(100);

    private readonly int target;
    private readonly long resetAfter;
    private readonly ResetDirection direction;
    private readonly int maxConnections;
    private readonly TcpListener listener;
    private readonly Task accepting;
    private readonly List<Task> pumps = [];
    private readonly List<Link> links = [];
    private int connections;
    private int resets;

    public ResettingProxy(int targetPort, long resetAfter, ResetDirection direction, int maxConnections = 200)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resetAfter, 1);
        target = targetPort;
        this.resetAfter = resetAfter;
        this.direction = direction;
        this.maxConnections = maxConnections;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>Connections relayed so far.</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>Connections this proxy has reset so far.</summary>
    public int Resets => Volatile.Read(ref resets);

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        Task[] running;
        lock (pumps)
        {
            foreach (Link link in links)
                link.TryReset();
            running = [.. pumps];
        }

        await Task.WhenAll(running);
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            if (Interlocked.Increment(ref connections) > maxConnections)
            {
                Reset(client);
                continue;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, target);
            }
            catch (SocketException)
            {
                Reset(client);
                server.Dispose();
                continue;
            }

            var link = new Link(client, server);
            lock (pumps)
            {
                pumps.RemoveAll(p => p.IsCompleted);
                links.Add(link);
                pumps.Add(PumpAsync(link, client, server, direction == ResetDirection.FromClient));
                pumps.Add(PumpAsync(link, server, client, direction == ResetDirection.ToClient));
            }
        }
    }

    /// <summary>Copies one direction; the counted one resets the link once <see cref="resetAfter"/> bytes have passed.</summary>
    private async Task PumpAsync(Link link, Socket from, Socket to, bool counted)
    {
        var buffer = new byte[16 * 1024];
        long passed = 0;
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                    break;
                if (counted && passed + n >= resetAfter)
                {
                    int rest = (int)(resetAfter - passed);
                    if (rest > 0)
                        await to.SendAsync(buffer.AsMemory(0, rest), SocketFlags.None);

                    // A pause before the reset: Linux purges a socket's unread receive queue when an RST arrives, so
                    // without it the client would lose whatever it had not read yet, and the count would mean little.
                    await Task.Delay(Settle);
                    if (link.TryReset())
                        Interlocked.Increment(ref resets);
                    return;
                }

                passed += n;
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
            }

            // One side closed: pass the close on (a half-close is enough for IMAP and POP3).
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The other pump reset the link, or an end went away.
        }
        finally
        {
            link.CloseWhenBothDone();
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            // Linger 0: close sends RST instead of FIN, and unsent data is dropped (a reset, not a goodbye).
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Gone already.
        }

        socket.Dispose();
    }

    /// <summary>The two sockets of one relayed connection.</summary>
    private sealed class Link(Socket client, Socket server)
    {
        private int reset;
        private int done;

        public Socket Client { get; } = client;

        public Socket Server { get; } = server;

        /// <summary>Resets both sides, once; false when the link was reset already.</summary>
        public bool TryReset()
        {
            if (Interlocked.Exchange(ref reset, 1) != 0)
                return false;
            Reset(Client);
            Reset(Server);
            return true;
        }

        /// <summary>Disposes both sockets once both pumps are done.</summary>
        public void CloseWhenBothDone()
        {
            if (Interlocked.Increment(ref done) == 2)
            {
                Client.Dispose();
                Server.Dispose();
            }
        }
    }
}
