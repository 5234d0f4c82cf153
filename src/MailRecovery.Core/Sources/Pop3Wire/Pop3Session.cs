using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace MailRecovery.Core.Sources.Pop3Wire;

/// <summary>
/// A read-only POP3 client (RFC 1939, CAPA RFC 2449, STLS RFC 2595) for what MailKit's Pop3Client cannot do: read
/// a whole message without RETR. Dovecot marks a message \Seen on RETR; <c>TOP n lines</c> (§7) with more lines
/// than any message has returns the whole message and marks nothing. The session has no DELE and no RETR at all,
/// so its QUIT (§6) never updates the maildrop.
/// <para>
/// Failures: a -ERR to a command is a <see cref="Pop3CommandException"/> and the session goes on; a refused login
/// is MailKit's <see cref="AuthenticationException"/>, an untrusted certificate its <see cref="SslHandshakeException"/>;
/// anything else (a broken, stalled or garbled connection: <see cref="Pop3ProtocolException"/>,
/// <see cref="TimeoutException"/>, <see cref="IOException"/>, <see cref="SocketException"/>) closes the session,
/// since its state is then unknown. <see cref="Errors.ErrorClassifier"/> knows all of them.
/// </para>
/// </summary>
public sealed class Pop3Session : IAsyncDisposable
{
    /// <summary>
    /// The line count that makes <c>TOP</c> send a whole message. RFC 1939 §7 allows any non-negative number and
    /// sends the entire message when it exceeds the body; a signed 32-bit maximum is the largest every server
    /// parses (Dovecot takes up to 2^64 − 1), and a message with more lines would be over 4 GB.
    /// </summary>
    public const int WholeMessage = int.MaxValue;

    private readonly TimeSpan timeout;
    private readonly HashSet<string> capabilities = new(StringComparer.OrdinalIgnoreCase);
    private Pop3Input? input;

    /// <param name="timeout">How long one connect, read or write may take; <see cref="MailServiceConnector.IoTimeout"/> by default.</param>
    public Pop3Session(TimeSpan? timeout = null) => this.timeout = timeout ?? MailServiceConnector.IoTimeout;

    public bool IsConnected => input is not null;

    /// <summary>The CAPA tags (RFC 2449 §5), any case; empty when the server has no CAPA.</summary>
    public IReadOnlySet<string> Capabilities => capabilities;

    /// <summary>
    /// Connects, with TLS from the first byte (<see cref="TlsMode.Implicit"/>) or after STLS, reads the greeting and
    /// the capabilities. The certificate must be trusted by <paramref name="trust"/> and issued for <paramref name="host"/>.
    /// <see cref="TlsMode.None"/> sends everything in clear text; <see cref="SourceUri.Parse"/> allows it only with --insecure.
    /// </summary>
    public async Task ConnectAsync(string host, int port, TlsMode tls, CertificateTrust trust, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trust);
        await DisposeAsync();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(timeout);
                try
                {
                    await socket.ConnectAsync(new DnsEndPoint(MailServiceConnector.HostForConnect(host), port), deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"the POP3 server did not accept a connection within {timeout.TotalSeconds:0} s");
                }
            }

            input = new Pop3Input(new NetworkStream(socket, ownsSocket: true), timeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        await GuardedAsync(async () =>
        {
            if (tls == TlsMode.Implicit)
                await Input.UpgradeAsync((s, t) => SecureAsync(s, host, trust, t), cancellationToken);
            await ExpectOkAsync(null, "greeting", cancellationToken);
            await ReadCapabilitiesAsync(cancellationToken);
            if (tls != TlsMode.StartTls)
                return;
            if (!capabilities.Contains("STLS"))
                throw new System.Security.Authentication.AuthenticationException($"{host}:{port} does not offer STLS, so the password would travel in clear text");
            await ExpectOkAsync("STLS", "STLS", cancellationToken);
            await Input.UpgradeAsync((s, t) => SecureAsync(s, host, trust, t), cancellationToken);
            await ReadCapabilitiesAsync(cancellationToken); // RFC 2595 §4: what was said before TLS is forgotten
        });
    }

    /// <summary>USER and PASS (RFC 1939 §7). The password is sent once and never logged.</summary>
    /// <exception cref="AuthenticationException">The server refused the user or the password.</exception>
    /// <exception cref="IOException">The maildrop is locked by another session or the server failed ([IN-USE], [SYS/…], RFC 3206).</exception>
    public async Task LoginAsync(string user, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        await GuardedAsync(async () =>
        {
            foreach ((string command, string shown) in new[] { ($"USER {user}", "USER"), ($"PASS {password}", "PASS") })
            {
                (bool ok, string text) = await CommandAsync(command, cancellationToken);
                if (ok)
                    continue;
                if (text.StartsWith("[IN-USE]", StringComparison.OrdinalIgnoreCase) || text.StartsWith("[SYS/", StringComparison.OrdinalIgnoreCase))
                    throw new IOException($"the POP3 server cannot open the maildrop now: {text}");
                throw new AuthenticationException($"{shown}: {text}");
            }
        });
    }

    /// <summary>Every message of the maildrop with its unique id and size: <c>UIDL</c> and <c>LIST</c>, by number.</summary>
    public async Task<IReadOnlyList<Pop3Listing>> ListAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> uids = await MultiLineAsync("UIDL", cancellationToken);
        IReadOnlyList<string> sizes = await MultiLineAsync("LIST", cancellationToken);
        var size = new Dictionary<int, long>();
        foreach (string line in sizes)
        {
            (int n, string value) = Split(line, "LIST");
            size[n] = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long s) ? s : throw Garbled("LIST", line);
        }

        var listed = new List<Pop3Listing>(uids.Count);
        foreach (string line in uids)
        {
            (int n, string uid) = Split(line, "UIDL");
            listed.Add(new Pop3Listing(n, uid, size.GetValueOrDefault(n, -1)));
        }

        return listed;
    }

    /// <summary>
    /// <c>TOP number lines</c> (RFC 1939 §7): the header block and the first <paramref name="lines"/> body lines
    /// (<see cref="WholeMessage"/> for all), streamed to <paramref name="read"/> as the server sent them, with the
    /// byte-stuffing undone and the terminating line removed. Whatever <paramref name="read"/> leaves unread is
    /// skipped. The stream throws <see cref="Pop3ProtocolException"/> if the connection ends before the message does.
    /// </summary>
    /// <exception cref="Pop3CommandException">The server answered -ERR (no such message, or one deleted by another session).</exception>
    public Task<T> TopAsync<T>(int number, int lines, Func<Stream, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(number);
        ArgumentOutOfRangeException.ThrowIfNegative(lines);
        return GuardedAsync(async () =>
        {
            string command = string.Create(CultureInfo.InvariantCulture, $"TOP {number} {lines}");
            (bool ok, string text) = await CommandAsync(command, cancellationToken);
            if (!ok)
                throw new Pop3CommandException($"{command}: {text}", text);
            var data = new Pop3DataStream(Input);
            T result = await read(data, cancellationToken);
            await data.SkipRestAsync(cancellationToken);
            return result;
        });
    }

    /// <summary>QUIT (RFC 1939 §6) and close. With no DELE sent, the server's UPDATE state removes nothing.</summary>
    public async Task QuitAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (IsConnected)
                await CommandAsync("QUIT", cancellationToken);
        }
        finally
        {
            await DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Pop3Input? open = input;
        input = null;
        capabilities.Clear();
        if (open is not null)
            await open.DisposeAsync();
    }

    private Pop3Input Input => input ?? throw new Pop3ProtocolException("the POP3 connection is closed");

    /// <summary>Runs a step; anything but a -ERR leaves the protocol state unknown, so the connection is closed.</summary>
    private async Task<T> GuardedAsync<T>(Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (Exception e) when (e is not Pop3CommandException)
        {
            await DisposeAsync();
            throw;
        }
    }

    private Task GuardedAsync(Func<Task> step) => GuardedAsync(async () => { await step(); return true; });

    private async Task<Stream> SecureAsync(Stream clear, string host, CertificateTrust trust, CancellationToken cancellationToken)
    {
        bool rejected = false;
        var tls = new SslStream(clear, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host, // the name is checked: a mismatch is a policy error Validate refuses
            RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
            {
                bool trusted = trust.Validate(sender, certificate, chain, errors);
                rejected = !trusted;
                return trusted;
            },
        };
        try
        {
            await Input.TimedAsync(t => tls.AuthenticateAsClientAsync(options, t), cancellationToken);
            return tls;
        }
        catch (System.Security.Authentication.AuthenticationException e) when (rejected)
        {
            await tls.DisposeAsync();
            throw new SslHandshakeException($"the certificate of {host} is not trusted", e);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    private async Task ReadCapabilitiesAsync(CancellationToken cancellationToken)
    {
        capabilities.Clear();
        (bool ok, _) = await CommandAsync("CAPA", cancellationToken);
        if (!ok)
            return; // a server from before RFC 2449: no capabilities known
        foreach (string line in await ReadLinesAsync(cancellationToken))
            capabilities.Add(line.Split(' ', 2)[0]);
    }

    private async Task<IReadOnlyList<string>> MultiLineAsync(string command, CancellationToken cancellationToken) =>
        await GuardedAsync(async () =>
        {
            (bool ok, string text) = await CommandAsync(command, cancellationToken);
            return ok ? await ReadLinesAsync(cancellationToken) : throw new Pop3CommandException($"{command}: {text}", text);
        });

    /// <summary>The lines of a short multi-line response (CAPA, UIDL, LIST), each bounded, unstuffed (§3).</summary>
    private async Task<IReadOnlyList<string>> ReadLinesAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (true)
        {
            string line = await Input.ReadLineAsync(cancellationToken);
            if (line == ".")
                return lines;
            lines.Add(line.StartsWith('.') ? line[1..] : line);
        }
    }

    private async Task ExpectOkAsync(string? command, string what, CancellationToken cancellationToken)
    {
        (bool ok, string text) = command is null ? Status(await Input.ReadLineAsync(cancellationToken)) : await CommandAsync(command, cancellationToken);
        if (!ok)
            throw new Pop3ProtocolException($"the POP3 server refused the {what}: {text}");
    }

    private async Task<(bool Ok, string Text)> CommandAsync(string command, CancellationToken cancellationToken)
    {
        if (command.AsSpan().ContainsAny('\r', '\n'))
            throw new ArgumentException("a POP3 command cannot hold a line break", nameof(command));
        await Input.WriteLineAsync(command, cancellationToken);
        return Status(await Input.ReadLineAsync(cancellationToken));
    }

    /// <summary>A status indicator (RFC 1939 §3): "+OK" or "-ERR", then optional text.</summary>
    private static (bool Ok, string Text) Status(string line)
    {
        if (line.StartsWith("+OK", StringComparison.Ordinal))
            return (true, line[3..].Trim());
        if (line.StartsWith("-ERR", StringComparison.Ordinal))
            return (false, line[4..].Trim());
        throw new Pop3ProtocolException($"the POP3 server sent a malformed reply: {Shorten(line)}");
    }

    private static (int Number, string Value) Split(string line, string command)
    {
        string[] parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? (n, parts[1])
            : throw Garbled(command, line);
    }

    private static Pop3ProtocolException Garbled(string command, string line) => new($"the POP3 server sent a malformed {command} line: {Shorten(line)}");

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "…";
}
