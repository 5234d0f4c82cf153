using System.Net;
using System.Net.Sockets;

namespace MailRecovery.Tests.TestBed;

/// <summary>
/// A byte relay on 127.0.0.1 in front of a bed port, that a test can pull out (every connection cut, the port
/// refusing) and put back on the same port: a server that goes away in the middle of a run and comes back.
/// TLS passes through untouched, end to end with the real server.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly int target;
    private readonly List<TcpClient> open = [];
    private TcpListener? listener;
    private Task accepting = Task.CompletedTask;

    public TcpRelay(int targetPort)
    {
        target = targetPort;
        Start(0);
        Port = ((IPEndPoint)listener!.LocalEndpoint).Port;
    }

    public int Port { get; }

    /// <summary>Cuts every connection and stops listening: the next connect is refused.</summary>
    public void Stop()
    {
        listener?.Stop();
        listener = null;
        lock (open)
        {
            foreach (TcpClient c in open)
                c.Dispose();
            open.Clear();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public void Restart() => Start(Port);

    public async ValueTask DisposeAsync()
    {
        Stop();
        await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private void Start(int port)
    {
        var l = new TcpListener(IPAddress.Loopback, port);
        l.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        l.Start();
        listener = l;
        accepting = AcceptAsync(l);
    }

    private async Task AcceptAsync(TcpListener l)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await l.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
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

            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // Cut by Stop or by either end.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
