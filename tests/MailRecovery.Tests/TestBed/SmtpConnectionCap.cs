using System.Net;
using System.Net.Sockets;

namespace MailRecovery.Tests.TestBed;

/// <summary>
/// A relay in front of the bed's Postfix that lets at most <c>cap</c> connections through at once and greets any
/// further one with <c>421 4.7.0 Error: too many connections</c>, as Postfix does past
/// <c>smtpd_client_connection_count_limit</c> (RFC 5321 §3.8), then closes it.
/// </summary>
public sealed class SmtpConnectionCap : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly int target;
    private int cap;
    private readonly Task accepting;
    private int open;

    public SmtpConnectionCap(int targetPort, int cap)
    {
        target = targetPort;
        this.cap = cap;
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>The most connections let through at once; raise it to let the server "recover".</summary>
    public int Cap
    {
        get => Volatile.Read(ref cap);
        set => Volatile.Write(ref cap, value);
    }

    /// <summary>Connections greeted with 421.</summary>
    public int Refused => Volatile.Read(ref refused);

    private int refused;

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
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
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            if (Interlocked.Increment(ref open) > Cap)
            {
                Interlocked.Decrement(ref open);
                Interlocked.Increment(ref refused);
                _ = RefuseAsync(client);
                continue;
            }

            var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, target);
            Task up = PumpAsync(client, server);
            Task down = PumpAsync(server, client);
            _ = Task.WhenAll(up, down).ContinueWith(_ => Interlocked.Decrement(ref open), TaskScheduler.Default);
        }
    }

    private static async Task RefuseAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await client.GetStream().WriteAsync("421 4.7.0 Error: too many connections from 127.0.0.1\r\n"u8.ToArray());
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The client went first.
            }
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
            // Closed by either end.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
