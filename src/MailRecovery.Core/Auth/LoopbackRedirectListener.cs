using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailRecovery.Core.Auth;

/// <summary>
/// The redirect URI of a native app's sign-in (RFC 8252 section 7.3): <c>http://127.0.0.1:PORT/</c>, listening on the
/// loopback interface only (section 8.3), on an ephemeral port unless one is asked for (for an SSH port forward).
/// It answers the browser with a short plain-text page and hands the redirect's parameters to the caller. Requests
/// without a code or an error (a browser's favicon fetch) get a 404 and the wait goes on.
/// </summary>
internal sealed class LoopbackRedirectListener : IDisposable
{
    private const int MaxHead = 16 * 1024;
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(10);
    private readonly TcpListener listener;

    /// <param name="port">0 for an ephemeral port.</param>
    /// <exception cref="Errors.MailRecoveryException">Usage: the port is taken.</exception>
    public LoopbackRedirectListener(int port)
    {
        listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw Errors.MailRecoveryException.Usage($"cannot listen on 127.0.0.1:{port} for the sign-in's redirect ({e.Message}).", "choose another --port, or leave it out for a free one.");
        }

        RedirectUri = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
    }

    /// <summary>The address the authorization server sends the browser back to.</summary>
    public Uri RedirectUri { get; }

    /// <summary>Waits for the browser's redirect; the page it gets says whether <paramref name="state"/> matched.</summary>
    /// <remarks>
    /// Connections are served side by side: browsers open speculative connections that send nothing, and one of
    /// those accepted first must not hold up the real request for the read limit.
    /// </remarks>
    public async Task<AuthorizationRedirect> WaitAsync(string state, CancellationToken cancellationToken)
    {
        var arrived = new TaskCompletionSource<AuthorizationRedirect>(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration cancel = cancellationToken.Register(() => arrived.TrySetCanceled(cancellationToken));
        _ = AcceptAsync(state, arrived, cancellationToken); // ends with the token or with Dispose
        return await arrived.Task;
    }

    public void Dispose() => listener.Dispose();

    private async Task AcceptAsync(string state, TaskCompletionSource<AuthorizationRedirect> arrived, CancellationToken cancellationToken)
    {
        try
        {
            while (!arrived.Task.IsCompleted)
            {
                TcpClient client = await listener.AcceptTcpClientAsync(cancellationToken);
                _ = Task.Run(
                    async () =>
                    {
                        using (client)
                        {
                            if (await ServeAsync(client, state, cancellationToken) is { } redirect)
                                arrived.TrySetResult(redirect);
                        }
                    },
                    CancellationToken.None);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // cancelled or disposed: the wait has ended
        }
    }

    // One request per connection (Connection: close). A slow or broken client is dropped, not waited for.
    private static async Task<AuthorizationRedirect?> ServeAsync(TcpClient client, string state, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ReadLimit);
        try
        {
            NetworkStream stream = client.GetStream();
            string? target = await ReadTargetAsync(stream, limit.Token);
            int query = target?.IndexOf('?', StringComparison.Ordinal) ?? -1;
            AuthorizationRedirect? redirect = query < 0 ? null : AuthorizationRedirect.FromQuery(target![query..]);
            string page = redirect switch
            {
                null => "MailRecovery: nothing here.",
                { State: var s } when s != state => "MailRecovery: this address does not belong to the sign-in in progress (an old tab?). The terminal says what to do.",
                { Error: { } error } => $"MailRecovery: the sign-in did not complete ({error}). The terminal says what to do.",
                _ => "MailRecovery received the sign-in. You can close this tab; the terminal shows the result.",
            };
            byte[] body = Encoding.UTF8.GetBytes(page + "\n");
            string head = $"HTTP/1.1 {(redirect is null ? "404 Not Found" : "200 OK")}\r\nContent-Type: text/plain; charset=utf-8\r\n" +
                $"Content-Length: {body.Length}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), limit.Token);
            await stream.WriteAsync(body, limit.Token);
            await stream.FlushAsync(limit.Token);
            return redirect;
        }
        catch (Exception e) when (e is IOException or SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>The request target of "GET /?… HTTP/1.1", read up to the end of the head; null for anything else.</summary>
    private static async Task<string?> ReadTargetAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var buffer = new byte[1024];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && head.Length < MaxHead)
        {
            int n = await stream.ReadAsync(buffer, cancellationToken);
            if (n == 0)
                break;
            head.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        string text = head.ToString();
        int end = text.IndexOf("\r\n", StringComparison.Ordinal);
        string[] requestLine = (end < 0 ? text : text[..end]).Split(' ');
        return requestLine.Length == 3 && requestLine[0] == "GET" ? requestLine[1] : null;
    }
}
