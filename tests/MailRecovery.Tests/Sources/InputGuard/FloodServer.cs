using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailRecovery.Tests.Sources.InputGuard;

/// <summary>
/// A hostile server on 127.0.0.1: each connection (any number, one after another) plays the script, which ends
/// in a flood, a line that never ends. The flood is bounded (<see cref="FloodBytes"/>) and stops as soon as the
/// client hangs up, so the server stops by itself whatever the client does.
/// </summary>
internal sealed class FloodServer : IAsyncDisposable
{
    /// <summary>More than the guard's 16 MiB many times over, and more than the heap the tests give the CLI.</summary>
    public const long FloodBytes = 512L * 1024 * 1024;

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task run;

    private FloodServer(Func<Connection, Task> script)
    {
        listener.Start();
        run = RunAsync(script);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>How many bytes of flood the clients took in all.</summary>
    public long Flooded => Interlocked.Read(ref flooded);

    private long flooded;

    public static FloodServer Start(Func<Connection, Task> script) => new(script);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        stop.Dispose();
    }

    private async Task RunAsync(Func<Connection, Task> script)
    {
        while (!stop.IsCancellationRequested)
        {
            using TcpClient client = await listener.AcceptTcpClientAsync(stop.Token);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var connection = new Connection(this, client.GetStream(), timeout.Token);
            try
            {
                await script(connection);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client hung up (the guard did its job) or the test is over.
            }
        }
    }

    internal sealed class Connection(FloodServer server, NetworkStream stream, CancellationToken cancellationToken)
    {
        private readonly StreamReader reader = new(stream, Encoding.Latin1, false, 1024, leaveOpen: true);

        public async Task SendAsync(string line) => await stream.WriteAsync(Encoding.Latin1.GetBytes(line + "\r\n"), cancellationToken);

        /// <summary>The next command line, or null when the client hung up.</summary>
        public async Task<string?> ReadLineAsync() => await reader.ReadLineAsync(cancellationToken);

        /// <summary>Sends <paramref name="prefix"/>, then 'x' without a line end until the client hangs up or <see cref="FloodBytes"/>.</summary>
        public async Task FloodAsync(string prefix)
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(prefix), cancellationToken);
            byte[] chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            await RepeatAsync(chunk);
        }

        /// <summary>Sends <paramref name="line"/> (with CRLF) over and over: a reply whose lines end but which never does.</summary>
        public async Task FloodLinesAsync(string line)
        {
            byte[] one = Encoding.Latin1.GetBytes(line + "\r\n");
            byte[] chunk = new byte[one.Length * Math.Max(1, 64 * 1024 / one.Length)];
            for (int i = 0; i < chunk.Length; i += one.Length)
                one.CopyTo(chunk, i);
            await RepeatAsync(chunk);
        }

        private async Task RepeatAsync(byte[] chunk)
        {
            for (long sent = 0; sent < FloodBytes; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk, cancellationToken);
                Interlocked.Add(ref server.flooded, chunk.Length);
            }
        }
    }
}
