using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailRecovery.Tests.Replay.Targets;

/// <summary>
/// A one-connection SMTP/LMTP/POP3 server on 127.0.0.1 that plays a test's script, for what the real bed cannot be
/// made to do on cue: cut the connection after the data, refuse one recipient of two after the data, offer
/// AUTH without STARTTLS. It records every line the client sends (data lines raw, before un-stuffing).
/// </summary>
internal sealed class ScriptedMailServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Task run;
    private readonly byte[] input = new byte[4096];
    private int inputStart;
    private int inputEnd;
    private TcpClient? connection;
    private Stream? stream;

    private ScriptedMailServer(Func<ScriptedMailServer, Task> script)
    {
        listener.Start();
        run = RunAsync(script);
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Every line the client sent, without its line end.</summary>
    public List<string> Received { get; } = [];

    /// <summary>How many lines the client ended with a bare LF instead of CRLF.</summary>
    public int BareLineFeeds { get; private set; }

    public static ScriptedMailServer Start(Func<ScriptedMailServer, Task> script) => new(script);

    /// <summary>
    /// Serves <paramref name="connections"/> connections one after the other, each with the script given its
    /// number (1-based): for a client that reconnects (a retried pass after a throttling reply).
    /// </summary>
    public static ScriptedMailServer StartEach(int connections, Func<ScriptedMailServer, int, Task> script) =>
        new(async s =>
        {
            for (int n = 1; n <= connections; n++)
            {
                if (n > 1)
                {
                    s.connection?.Dispose();
                    (s.inputStart, s.inputEnd) = (0, 0);
                    s.connection = await s.listener.AcceptTcpClientAsync();
                    s.stream = s.connection.GetStream();
                }

                await script(s, n);
            }
        });

    /// <summary>Sends one reply; several lines are separated by \n and sent with CRLF.</summary>
    public async Task SendAsync(string reply)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(reply.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n");
        await stream!.WriteAsync(bytes);
    }

    /// <summary>Sends bytes exactly as given (bare LF, stuffing, no line end at all), for a hostile server.</summary>
    public async Task SendRawAsync(byte[] bytes) => await stream!.WriteAsync(bytes);

    /// <summary>Reads a line, or null when the client closed the connection.</summary>
    public async Task<string?> ReadLineAsync()
    {
        var line = new List<byte>();
        while (true)
        {
            if (inputStart == inputEnd)
            {
                (inputStart, inputEnd) = (0, await stream!.ReadAsync(input));
                if (inputEnd == 0)
                    return null;
            }

            byte b = input[inputStart++];
            if (b == '\n')
                break;
            line.Add(b);
        }

        if (line.Count == 0 || line[^1] != '\r')
            BareLineFeeds++;
        else
            line.RemoveAt(line.Count - 1);

        // Latin-1 maps every byte to one char, so the recorded lines are the bytes the client sent.
        string text = Encoding.Latin1.GetString(line.ToArray());
        Received.Add(text);
        return text;
    }

    /// <summary>Reads a command that must start with <paramref name="verb"/> and answers it.</summary>
    public async Task ExpectAsync(string verb, string reply)
    {
        string? line = await ReadLineAsync();
        if (line is null || !line.StartsWith(verb, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"expected {verb}, got {line ?? "end of connection"}");
        await SendAsync(reply);
    }

    /// <summary>Reads the message data up to the lone "." line; returns the lines as sent (still dot-stuffed).</summary>
    public async Task<List<string>> ReadDataAsync()
    {
        var lines = new List<string>();
        while (await ReadLineAsync() is { } line && line != ".")
            lines.Add(line);
        return lines;
    }

    /// <summary>Reads until the client hangs up.</summary>
    public async Task DrainAsync()
    {
        while (await ReadLineAsync() is not null)
        {
        }
    }

    /// <summary>Cuts the connection without a word.</summary>
    public void HangUp() => connection?.Dispose();

    /// <summary>Waits for the script to finish and rethrows what it threw.</summary>
    public Task Completion => run;

    public async ValueTask DisposeAsync()
    {
        connection?.Dispose();
        listener.Stop();
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException or TimeoutException)
        {
            // The test has its answer; a script cut short is fine.
        }
    }

    private async Task RunAsync(Func<ScriptedMailServer, Task> script)
    {
        connection = await listener.AcceptTcpClientAsync();
        stream = connection.GetStream();
        await script(this);
    }
}
