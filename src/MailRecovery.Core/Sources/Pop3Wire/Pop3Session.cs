using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace MailRecovery.Core.Sources.Pop3Wire;

/// <summary>
/// A small POP3 client (RFC 1939, CAPA and PIPELINING RFC 2449, STLS RFC 2595, AUTH PLAIN RFC 5034) for what
/// MailKit's Pop3Client cannot do: read a whole message without RETR (Dovecot marks a message \Seen on RETR;
/// <c>TOP n lines</c> (§7) with more lines than any message has returns the whole message and marks nothing), and
/// stream a RETR instead of holding the message whole. Every message body is a stream decoded as it arrives, so
/// memory does not grow with the message size.
/// <para>
/// Deletions: <see cref="DeleteAsync"/> only marks messages; the server removes them when <see cref="QuitAsync"/>
/// moves the session to the UPDATE state (§6). A session that ends any other way (<see cref="DisposeAsync"/>, a
/// broken connection, a crash) removes nothing; the fetch's crash model relies on that. The primary ledger, the
/// audit and the probe use only TOP, UIDL and LIST, so their QUIT changes nothing.
/// </para>
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
    private readonly HashSet<string> mechanisms = new(StringComparer.OrdinalIgnoreCase);
    private Pop3Input? input;

    /// <param name="timeout">How long one connect, read or write may take; <see cref="MailServiceConnector.IoTimeout"/> by default.</param>
    public Pop3Session(TimeSpan? timeout = null) => this.timeout = timeout ?? MailServiceConnector.IoTimeout;

    public bool IsConnected => input is not null;

    /// <summary>The CAPA tags (RFC 2449 §5), any case; empty when the server has no CAPA.</summary>
    public IReadOnlySet<string> Capabilities => capabilities;

    /// <summary>The SASL mechanisms of CAPA's SASL line (RFC 5034 §6), any case; empty when none.</summary>
    public IReadOnlySet<string> Mechanisms => mechanisms;

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
                await Input.UpgradeAsync((s, t) => SecureAsync(s, host, port, trust, t), cancellationToken);
            await GreetingAsync(host, port, tls, cancellationToken);
            await ReadCapabilitiesAsync(cancellationToken);
            if (tls != TlsMode.StartTls)
                return;
            if (!capabilities.Contains("STLS"))
                throw new System.Security.Authentication.AuthenticationException($"{host}:{port} does not offer STLS, so the password would travel in clear text");
            await ExpectOkAsync("STLS", "STLS", cancellationToken);
            await Input.UpgradeAsync((s, t) => SecureAsync(s, host, port, trust, t), cancellationToken);
            await ReadCapabilitiesAsync(cancellationToken); // RFC 2595 §4: what was said before TLS is forgotten
        });
    }

    /// <summary>
    /// USER and PASS (RFC 1939 §7); <c>AUTH PLAIN</c> with an initial response (RFC 5034 §4, RFC 4616) when the
    /// server's CAPA does not offer USER but offers SASL PLAIN. One attempt either way: a wrong password is not
    /// retried with another mechanism (servers count every try and may lock the account). The password is sent
    /// once and never logged.
    /// </summary>
    /// <exception cref="AuthenticationException">The server refused the user or the password.</exception>
    /// <exception cref="IOException">The maildrop is locked by another session or the server failed ([IN-USE], [SYS/…], RFC 3206).</exception>
    public async Task LoginAsync(string user, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        bool plain = capabilities.Count > 0 && !capabilities.Contains("USER") && mechanisms.Contains("PLAIN");
        (string Command, string Shown)[] steps = plain
            ? [("AUTH PLAIN " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{user}\0{password}")), "AUTH PLAIN")]
            : [($"USER {user}", "USER"), ($"PASS {password}", "PASS")];
        await GuardedAsync(async () =>
        {
            foreach ((string command, string shown) in steps)
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

    /// <summary>
    /// Signs in with an OAuth2 access token: <c>AUTH XOAUTH2</c> (Google's and Microsoft's format) or <c>AUTH
    /// OAUTHBEARER</c> (RFC 7628 §3.1). The initial response goes on the AUTH line when the line stays within 255
    /// octets, else after the server's empty challenge (RFC 5034 §4: a JWT never fits). A refusal may come as a
    /// challenge holding a base64 JSON error (RFC 7628 §3.2.2); it is answered with the dummy response the
    /// mechanism asks for (an empty line for XOAUTH2, %x01 for OAUTHBEARER) so the server ends the exchange with
    /// -ERR. The token is sent once and never logged.
    /// </summary>
    /// <param name="mechanism">"XOAUTH2" or "OAUTHBEARER" (<see cref="Protocols.SaslChoice.ForToken"/>).</param>
    /// <exception cref="AuthenticationException">The server refused the token.</exception>
    public async Task BearerLoginAsync(string mechanism, string user, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(token);
        bool xoauth2 = mechanism.Equals("XOAUTH2", StringComparison.OrdinalIgnoreCase);
        string message = xoauth2
            ? $"user={user}\u0001auth=Bearer {token}\u0001\u0001"
            : $"n,a={user.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal)},\u0001auth=Bearer {token}\u0001\u0001";
        string initial = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(message));
        string command = $"AUTH {(xoauth2 ? "XOAUTH2" : "OAUTHBEARER")}";
        await GuardedAsync(async () =>
        {
            string line;
            if (command.Length + 1 + initial.Length + 2 <= 255)
            {
                await Input.WriteLineAsync($"{command} {initial}", cancellationToken);
                line = await Input.ReadLineAsync(cancellationToken);
            }
            else
            {
                await Input.WriteLineAsync(command, cancellationToken);
                line = await Input.ReadLineAsync(cancellationToken);
                if (!IsChallenge(line))
                    return Refused(command, line);
                await Input.WriteLineAsync(initial, cancellationToken);
                line = await Input.ReadLineAsync(cancellationToken);
            }

            if (IsChallenge(line))
            {
                await Input.WriteLineAsync(xoauth2 ? "" : "AQ==", cancellationToken);
                string error = DecodeChallenge(line);
                line = await Input.ReadLineAsync(cancellationToken);
                if (!Pop3Reply.Status(line).Ok)
                    throw new AuthenticationException($"{command}: {Pop3Reply.Status(line).Text} {error}".TrimEnd());
            }

            return Refused(command, line);
        });
    }

    private static bool IsChallenge(string line) => line == "+" || line.StartsWith("+ ", StringComparison.Ordinal);

    /// <summary>The server's JSON error of a refused token (status, scope; never a secret), or "" when unreadable.</summary>
    private static string DecodeChallenge(string line)
    {
        try
        {
            string text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(line.Length > 2 ? line[2..].Trim() : ""));
            return text.Length > 200 ? text[..200] : text;
        }
        catch (FormatException)
        {
            return "";
        }
    }

    /// <summary>True on +OK; otherwise throws as <see cref="LoginAsync"/> does.</summary>
    private static bool Refused(string command, string line)
    {
        (bool ok, string text) = Pop3Reply.Status(line);
        if (ok)
            return true;
        if (text.StartsWith("[IN-USE]", StringComparison.OrdinalIgnoreCase) || text.StartsWith("[SYS/", StringComparison.OrdinalIgnoreCase))
            throw new IOException($"the POP3 server cannot open the maildrop now: {text}");
        throw new AuthenticationException($"{command}: {text}");
    }

    /// <summary>Every message of the maildrop with its unique id and size: <c>UIDL</c> and <c>LIST</c>, by number.</summary>
    /// <exception cref="Pop3CommandException">The server has no UIDL.</exception>
    public async Task<IReadOnlyList<Pop3Listing>> ListAsync(CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<int, string> uids = await ListUidsAsync(cancellationToken) ?? throw new Pop3CommandException("UIDL: the server does not support UIDL");
        IReadOnlyDictionary<int, long> sizes = await ListSizesAsync(cancellationToken);
        return [.. uids.Select(u => new Pop3Listing(u.Key, u.Value, sizes.GetValueOrDefault(u.Key, -1)))];
    }

    /// <summary><c>LIST</c> (RFC 1939 §5): the size in octets of every message, by number, in maildrop order.</summary>
    public async Task<IReadOnlyDictionary<int, long>> ListSizesAsync(CancellationToken cancellationToken)
    {
        var sizes = new List<(int, long)>();
        await MultiLineAsync("LIST", line =>
        {
            int n = Pop3Reply.Split(line, "LIST", out ReadOnlySpan<char> value);
            sizes.Add((n, long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long size) ? size : throw Pop3Reply.Garbled("LIST", line)));
        }, cancellationToken);
        return ByNumber(sizes);
    }

    /// <summary>
    /// <c>UIDL</c> (RFC 1939 §7, an optional command): the unique id of every message, by number, in maildrop order;
    /// null when the server does not support it (its CAPA leaves UIDL out, or it answers -ERR).
    /// </summary>
    public async Task<IReadOnlyDictionary<int, string>?> ListUidsAsync(CancellationToken cancellationToken)
    {
        if (capabilities.Count > 0 && !capabilities.Contains("UIDL"))
            return null;
        var uids = new List<(int, string)>();
        try
        {
            await MultiLineAsync("UIDL", line => uids.Add((Pop3Reply.Split(line, "UIDL", out ReadOnlySpan<char> uid), uid.ToString())), cancellationToken);
        }
        catch (Pop3CommandException)
        {
            return null; // a server without CAPA that has no UIDL either
        }

        return ByNumber(uids);
    }

    /// <summary>
    /// A listing by message number, in number order, a number listed twice taking its last value. Two arrays, not a
    /// tree of nodes: a 100,000-message maildrop's LIST and UIDL are read while the fetch's memory is at its peak
    /// (issue 15). Servers list in number order, which is appended as is; any other order is sorted first (stably,
    /// so the last of a repeated number still wins), never inserted into the middle one by one.
    /// </summary>
    private static SortedList<int, T> ByNumber<T>(List<(int Number, T Value)> lines)
    {
        bool ascending = true;
        for (int i = 1; i < lines.Count && ascending; i++)
            ascending = lines[i - 1].Number < lines[i].Number;
        IEnumerable<(int Number, T Value)> ordered = ascending ? lines : lines.OrderBy(l => l.Number);
        var byNumber = new SortedList<int, T>(lines.Count);
        foreach ((int number, T value) in ordered)
            byNumber[number] = value;
        return byNumber;
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

    /// <summary>
    /// <c>RETR</c> (RFC 1939 §7) of each of <paramref name="numbers"/>, in that order: every message is streamed to
    /// <paramref name="read"/> as the server sends it, with the byte-stuffing undone and the terminating line removed
    /// (the stream throws <see cref="Pop3ProtocolException"/> if the connection ends before the message does), and
    /// whatever <paramref name="read"/> leaves unread is skipped. When the server announces PIPELINING (RFC 2449
    /// §6.6) the commands go out in groups of up to <paramref name="window"/>, so that a thousand small messages
    /// cost a few round trips instead of a thousand; otherwise one by one.
    /// </summary>
    /// <exception cref="Pop3CommandException">
    /// The server answered -ERR to a RETR (the first such is thrown). The other messages were still read; the
    /// session stays usable.
    /// </exception>
    public Task RetrieveAsync(IReadOnlyList<int> numbers, int window, Func<int, Stream, CancellationToken, Task> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        return PipelinedAsync("RETR", numbers, window, async n =>
        {
            var data = new Pop3DataStream(Input);
            await read(n, data, cancellationToken);
            await data.SkipRestAsync(cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// <c>DELE</c> (RFC 1939 §6) of each of <paramref name="numbers"/>, pipelined as <see cref="RetrieveAsync"/>.
    /// The messages are only marked: the server removes them at <see cref="QuitAsync"/>, and not at all if the
    /// session ends without it.
    /// </summary>
    /// <exception cref="Pop3CommandException">The server answered -ERR to a DELE (the first such is thrown) after all replies were read.</exception>
    public Task DeleteAsync(IReadOnlyList<int> numbers, int window, CancellationToken cancellationToken) =>
        PipelinedAsync("DELE", numbers, window, null, cancellationToken);

    /// <summary>
    /// QUIT (RFC 1939 §6) and close: the server enters the UPDATE state and removes the messages marked by
    /// <see cref="DeleteAsync"/>; with none marked it removes nothing. A -ERR to QUIT (some deletions failed) is not
    /// an exception here: those messages stay on the server and the next fetch pass deletes them again. It is the
    /// result, false, for a caller that must not claim a removal the server did not make.
    /// </summary>
    /// <returns>True when the server answered +OK (the marked messages are gone).</returns>
    public async Task<bool> QuitAsync(CancellationToken cancellationToken)
    {
        try
        {
            return IsConnected && (await CommandAsync("QUIT", cancellationToken)).Ok;
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

    /// <summary>
    /// Reads the greeting (RFC 1939 §4). Without implicit TLS, a server silent for <see cref="MailServiceConnector.GreetingTimeout"/>
    /// is asked whether it speaks TLS from the first byte (<see cref="TlsProbe"/>): pop3:// to port 995 is a TLS
    /// mismatch to tell at once, not a slow server to wait for through every retry.
    /// </summary>
    private async Task GreetingAsync(string host, int port, TlsMode tls, CancellationToken cancellationToken)
    {
        using var greeting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (tls != TlsMode.Implicit)
            greeting.CancelAfter(MailServiceConnector.GreetingTimeout);
        try
        {
            await ExpectOkAsync(null, "greeting", greeting.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            if (await TlsProbe.SpeaksTlsAsync(MailServiceConnector.HostForConnect(host), port, cancellationToken))
            {
                throw new Errors.MailRecoveryException(Errors.FailureKind.Usage, Errors.FailureScope.Account,
                    $"{host}:{port}: TLS mismatch: this port speaks TLS from the first byte (implicit TLS), but pop3:// asks for {(tls == TlsMode.StartTls ? "STARTTLS" : "no TLS")}.",
                    $"use pop3s:// for port {port}, or pop3:// with the server's STARTTLS port (110).", e);
            }

            throw new TimeoutException($"{host}:{port} sent no greeting within {MailServiceConnector.GreetingTimeout.TotalSeconds:0} s", e);
        }
    }

    private async Task<Stream> SecureAsync(Stream clear, string host, int port, CertificateTrust trust, CancellationToken cancellationToken)
    {
        bool rejected = false;
        bool sawCertificate = false;
        var tls = new SslStream(clear, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host, // the name is checked: a mismatch is a policy error Validate refuses
            RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
            {
                sawCertificate = certificate is not null;
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
        catch (Exception e) when (!sawCertificate && e is System.Security.Authentication.AuthenticationException or IOException)
        {
            // No certificate came back: what answered is not TLS (pop3s:// to a plain or STARTTLS port).
            await tls.DisposeAsync();
            throw new Errors.MailRecoveryException(Errors.FailureKind.Usage, Errors.FailureScope.Account,
                $"{host}:{port}: TLS handshake failed: the port does not speak TLS (is it a STARTTLS port? use pop3://).",
                $"use pop3:// (STARTTLS) for port {port}, or pop3s:// with the implicit-TLS port (995).", e);
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
        mechanisms.Clear();
        (bool ok, _) = await CommandAsync("CAPA", cancellationToken);
        if (!ok)
            return; // a server from before RFC 2449: no capabilities known
        foreach (string line in await ReadLinesAsync(cancellationToken))
        {
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
                continue;
            capabilities.Add(words[0]);
            if (words[0].Equals("SASL", StringComparison.OrdinalIgnoreCase))
                mechanisms.UnionWith(words.Skip(1)); // RFC 2449 §6.3 / RFC 5034 §6: "SASL PLAIN LOGIN …"
        }
    }

    /// <summary>
    /// Sends "<paramref name="verb"/> n" for each number, in groups of <paramref name="window"/> when the server
    /// pipelines, and reads each reply in order; <paramref name="onOk"/> reads what follows a +OK (a message).
    /// A -ERR is remembered and thrown once every reply of the call is read, so the session is never left with
    /// replies in flight.
    /// </summary>
    private Task PipelinedAsync(string verb, IReadOnlyList<int> numbers, int window, Func<int, Task>? onOk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        foreach (int n in numbers)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        int group = capabilities.Contains("PIPELINING") ? Math.Max(1, window) : 1;
        return GuardedAsync(async () =>
        {
            Pop3CommandException? refused = null;
            for (int at = 0; at < numbers.Count; at += group)
            {
                int[] sent = [.. numbers.Skip(at).Take(group)];
                await Input.WriteLinesAsync([.. sent.Select(n => string.Create(CultureInfo.InvariantCulture, $"{verb} {n}"))], cancellationToken);
                foreach (int n in sent)
                {
                    (bool ok, string text) = Pop3Reply.Status(await Input.ReadLineAsync(cancellationToken));
                    if (!ok)
                        refused ??= new Pop3CommandException(string.Create(CultureInfo.InvariantCulture, $"{verb} {n}: {text}"), text);
                    else if (onOk is not null)
                        await onOk(n);
                }
            }

            if (refused is not null)
                throw refused;
        });
    }

    /// <summary>Sends <paramref name="command"/> and hands each line of its multi-line response to <paramref name="onLine"/> as it arrives.</summary>
    private Task MultiLineAsync(string command, Action<string> onLine, CancellationToken cancellationToken) =>
        GuardedAsync(async () =>
        {
            (bool ok, string text) = await CommandAsync(command, cancellationToken);
            if (!ok)
                throw new Pop3CommandException($"{command}: {text}", text);
            while (await ReadListedLineAsync(cancellationToken) is { } line)
                onLine(line);
        });

    /// <summary>One line of a multi-line response, unstuffed (§3); null at its terminating ".".</summary>
    private async Task<string?> ReadListedLineAsync(CancellationToken cancellationToken)
    {
        string line = await Input.ReadLineAsync(cancellationToken);
        return line == "." ? null : line.StartsWith('.') ? line[1..] : line;
    }

    /// <summary>The lines of a short multi-line response (CAPA), each bounded, unstuffed (§3); listings go line by line through <see cref="MultiLineAsync"/>.</summary>
    private async Task<IReadOnlyList<string>> ReadLinesAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (await ReadListedLineAsync(cancellationToken) is { } line)
            lines.Add(line);
        return lines;
    }

    private async Task ExpectOkAsync(string? command, string what, CancellationToken cancellationToken)
    {
        (bool ok, string text) = command is null ? Pop3Reply.Status(await Input.ReadLineAsync(cancellationToken)) : await CommandAsync(command, cancellationToken);
        if (!ok)
            throw new Pop3ProtocolException($"the POP3 server refused the {what}: {text}");
    }

    private async Task<(bool Ok, string Text)> CommandAsync(string command, CancellationToken cancellationToken)
    {
        if (command.AsSpan().ContainsAny('\r', '\n'))
            throw new ArgumentException("a POP3 command cannot hold a line break", nameof(command));
        await Input.WriteLineAsync(command, cancellationToken);
        return Pop3Reply.Status(await Input.ReadLineAsync(cancellationToken));
    }
}
