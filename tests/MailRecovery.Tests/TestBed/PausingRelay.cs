using System.Net;
using System.Net.Sockets;

namespace MailRecovery.Tests.TestBed;

/// <summary>
/// A byte relay on 127.0.0.1 in front of a bed port whose server-to-client direction can be held: a server that
/// stops answering in the middle of a download (a slow or stuck account) and goes on when released. TLS passes
/// through untouched.
/// </summary>
public sealed class PausingRelay : IAsyncDisposable
{
    private readonly int target;
    private readonly TcpListener listener;
    private readonly Task accepting;
    private readonly List<TcpClient> open = [];
    private TaskCompletionSource released = NewGate(open: true);

    public PausingRelay(int targetPort)
    {
        target = targetPort;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>From now on, nothing more reaches the client until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (open)
        {
            if (released.Task.IsCompleted)
                released = NewGate(open: false);
        }
    }

    public void Release()
    {
        lock (open)
            released.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        listener.Stop();
        lock (open)
        {
            foreach (TcpClient c in open)
                c.Dispose();
        }

        await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static TaskCompletionSource NewGate(bool open)
    {
        var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
            t.SetResult();
        return t;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, target);
            lock (open)
            {
                open.Add(client);
                open.Add(server);
            }

            _ = PumpAsync(client.GetStream(), server.GetStream(), hold: false, client, server);
            _ = PumpAsync(server.GetStream(), client.GetStream(), hold: true, client, server);
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool hold, TcpClient a, TcpClient b)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReadAsync(buffer);
                if (n == 0)
                    break;
                if (hold)
                {
                    Task gate;
                    lock (open)
                        gate = released.Task;
                    await gate;
                }

                await to.WriteAsync(buffer.AsMemory(0, n));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // either side went away
        }

        a.Dispose();
        b.Dispose();
    }
}
