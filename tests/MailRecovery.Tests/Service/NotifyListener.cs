using System.Net.Sockets;
using System.Text;

namespace MailRecovery.Tests.Service;

/// <summary>What systemd is for a Type=notify service: a unix datagram socket that receives its notifications.</summary>
internal sealed class NotifyListener : IDisposable
{
    private readonly Socket socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public NotifyListener(string path)
    {
        Path = path;
        socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    public string Path { get; }

    /// <summary>The next datagram's text; fails the test when none comes within <paramref name="timeout"/>.</summary>
    public async Task<string> ReceiveAsync(TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no notification within {timeout}");
        }
    }

    public void Dispose() => socket.Dispose();
}
