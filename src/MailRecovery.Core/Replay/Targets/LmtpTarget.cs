using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Sources.InputGuard;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// Re-delivers archived messages over LMTP (RFC 2033) straight into the mail store, to the <c>--rcpt</c>
/// addresses: <c>lmtp://host:port</c> or a unix socket, <c>lmtp:/path/to/socket</c> (also <c>lmtp:///path</c>).
/// The archived bytes go out unchanged (bare LF → CRLF and a final line end aside, which the protocol needs),
/// unless a Resent-* block is asked for (RFC 5322 §3.6.6). The envelope sender is the message's Return-Path,
/// else <c>--mail-from</c> (see <see cref="ReplayEnvelope"/>). No TLS: see <see cref="LmtpClient"/>.
/// <para>
/// Outcome, from the one reply per recipient LMTP gives after the data (RFC 2033 §4.2): all 2xx → delivered;
/// some 4xx and no 5xx → try later; any 5xx → failed, naming the recipient and the reply. A recipient refused
/// at RCPT TO aborts the transaction, so nobody gets it and a later retry duplicates nothing. But after the data
/// a store can take it for one mailbox and refuse it for another (a full quota): that partial delivery is
/// reported as uncertain, naming who got it, and is not retried unless asked, since sending again would
/// deliver it twice to those. A connection lost after the end of the data is uncertain.
/// </para>
/// </summary>
public sealed class LmtpTarget : IReplayTarget
{
    private static readonly string[] Schemes = ["lmtp"];

    private readonly EndPoint endPoint;
    private readonly string where;
    private readonly IReadOnlyList<string> recipients;
    private readonly string? mailFrom;
    private readonly bool resentHeaders;
    private readonly TimeProvider clock;
    private readonly LmtpClient client = new(MailServiceConnector.IoTimeout);

    /// <summary>True while the connection has seen no transaction: RSET is owed before every later one.</summary>
    private bool fresh;

    /// <param name="target">The URI as the user wrote it.</param>
    /// <param name="recipients">The <c>--rcpt</c> addresses; at least one.</param>
    /// <param name="mailFrom">The envelope sender for messages without a Return-Path (<c>&lt;&gt;</c> for the null sender).</param>
    /// <param name="resentHeaders">Prepend Resent-Date/-From/-To/-Message-ID; this changes the bytes, on purpose.</param>
    /// <exception cref="MailRecoveryException">The URI or a recipient is not usable (a usage error).</exception>
    public LmtpTarget(string target, IReadOnlyList<string> recipients, string? mailFrom, bool resentHeaders, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(target);
        (endPoint, where) = ParseUri(target);
        this.recipients = ReplayEnvelope.CheckRecipients(recipients, target);
        this.mailFrom = mailFrom;
        this.resentHeaders = resentHeaders;
        this.clock = clock;
    }

    public string Description => $"{where} (rcpt {string.Join(", ", recipients)})";

    public string JournalKey => $"{where} rcpt={ReplayEnvelope.JournalPart(recipients)}";

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.ConnectAsync(endPoint, cancellationToken);
            fresh = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw ErrorClassifier.Classify(e, $"target {where}");
        }
    }

    public string? Checkpoint(ReplayItem item) => null;

    /// <summary>Absent when nothing is known of an earlier delivery; Unknown when one was cut off (LMTP cannot look).</summary>
    public Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken) =>
        Task.FromResult(checkpoint is null ? Presence.Absent : Presence.Unknown);

    public async Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await using Stream file = item.OpenRead();
        ReplayEnvelope envelope = await ReplayEnvelope.ReadAsync(file, recipients, mailFrom, item.Message.File, cancellationToken);
        byte[] prefix = resentHeaders
            ? ResentHeaders.ToBytes(ResentHeaders.Create(ResentFrom(envelope, item), recipients, clock.GetUtcNow()))
            : [];
        await ReadyAsync(cancellationToken);
        if (envelope.NeedsSmtpUtf8 && !client.Capabilities.Contains("SMTPUTF8"))
        {
            throw new DeliveryException(DeliveryOutcome.Failed,
                $"the envelope <{envelope.Sender}> → {string.Join(", ", recipients)} is not ASCII and {where} does not offer SMTPUTF8 (RFC 6531), so it cannot take the message");
        }

        if (!client.Capabilities.Contains("8BITMIME") && await ReplayEnvelope.ContainsEightBitAsync(item.Path, cancellationToken))
        {
            throw new DeliveryException(DeliveryOutcome.Failed,
                $"the message holds 8-bit bytes and {where} does not offer 8BITMIME (RFC 6152); sending it would mean re-encoding it, which changes the archived bytes");
        }

        file.Position = 0;
        IReadOnlyList<SmtpResponse?> replies;
        try
        {
            fresh = false;
            await client.MailFromAsync(envelope.Sender, envelope.NeedsSmtpUtf8, file.Length + prefix.Length, cancellationToken);
            var refused = new List<(string Recipient, SmtpResponse Reply)>();
            foreach (string recipient in recipients)
            {
                SmtpResponse reply = await client.RcptToAsync(recipient, cancellationToken);
                if (!IsPositive(reply))
                    refused.Add((recipient, reply));
            }

            // All or nothing: with one recipient refused nobody gets it, so a retry cannot duplicate it for the others.
            if (refused.Count > 0)
                throw new DeliveryException(Outcome(refused), $"refused at RCPT TO, so it was sent to nobody: {Describe(refused)}");
            replies = await client.DataAsync(prefix, file, cancellationToken);
        }
        catch (SmtpCommandException e)
        {
            string what = e.ErrorCode == SmtpErrorCode.SenderNotAccepted ? $"MAIL FROM:<{envelope.Sender}> was refused" : "the LMTP server refused the message";
            throw new DeliveryException((int)e.StatusCode is >= 400 and < 500 ? DeliveryOutcome.TryLater : DeliveryOutcome.Failed,
                $"{what}: {(int)e.StatusCode} {e.Message}", e);
        }
        catch (Exception e) when (IsBrokenConnection(e))
        {
            throw new DeliveryException(DeliveryOutcome.TryLater,
                $"the connection to {where} broke before the end of the message, so it was not delivered ({e.Message.TrimEnd('.')})", e);
        }
        catch (OverlongServerInputException e)
        {
            // Before the end of the data (a flood after it leaves the replies unknown: Uncertain, in Judge).
            throw ErrorClassifier.Classify(e, $"target {where}");
        }

        Judge(replies);
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.QuitAsync(cancellationToken);
        }
        catch (Exception e) when (IsBrokenConnection(e))
        {
            // Gone already; every delivery was final at its reply.
        }
    }

    public ValueTask DisposeAsync() => client.DisposeAsync();

    /// <summary>
    /// A connection ready for a transaction: RSET on a kept-open one, which also shows it is alive; a fresh one when
    /// it is not (nothing of this message was sent yet, so reconnecting is safe).
    /// </summary>
    private async Task ReadyAsync(CancellationToken cancellationToken)
    {
        if (client.IsConnected && !fresh)
        {
            try
            {
                await client.ResetAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (IsBrokenConnection(e) || e is SmtpCommandException)
            {
                await client.DisposeAsync(); // died while idle (or a 421): connect anew below
            }
        }

        if (client.IsConnected)
            return;
        try
        {
            await client.ConnectAsync(endPoint, cancellationToken);
            fresh = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            MailRecoveryException error = ErrorClassifier.Classify(e, $"target {where}");
            if (error.IsTransient)
                throw new DeliveryException(DeliveryOutcome.TryLater, error.Message, e);
            throw error;
        }
    }

    /// <summary>Turns the per-recipient replies after the data (RFC 2033 §4.2) into the outcome.</summary>
    private void Judge(IReadOnlyList<SmtpResponse?> replies)
    {
        var delivered = new List<string>();
        var unknown = new List<string>();
        var refused = new List<(string Recipient, SmtpResponse Reply)>();
        for (int i = 0; i < replies.Count; i++)
        {
            // Every recipient was accepted at RCPT TO, so the replies come in the order of the list.
            if (replies[i] is not { } reply)
                unknown.Add(recipients[i]);
            else if (IsPositive(reply))
                delivered.Add(recipients[i]);
            else
                refused.Add((recipients[i], reply));
        }

        string got = delivered.Count > 0 ? $"delivered to {string.Join(", ", delivered)}; " : string.Empty;
        if (unknown.Count > 0)
        {
            throw new DeliveryException(DeliveryOutcome.Uncertain,
                $"the connection to {where} broke after the end of the message: {got}no reply for {string.Join(", ", unknown)}, who may have it; not sent again, which could deliver it twice");
        }

        if (refused.Count == 0)
            return;
        if (delivered.Count > 0)
        {
            // Uncertain, not Failed: a Failed message is tried again by the next run, which would deliver it a
            // second time to those who got it. Uncertain waits for --resend-uncertain (after narrowing --rcpt).
            throw new DeliveryException(DeliveryOutcome.Uncertain,
                $"only partly delivered: {got}refused for {Describe(refused)}. Not retried: sending it again would deliver it twice to {string.Join(", ", delivered)}; replay it to the refused recipients only (--rcpt) with --resend-uncertain");
        }

        throw new DeliveryException(Outcome(refused), $"refused after the data: {Describe(refused)}");
    }

    private string ResentFrom(ReplayEnvelope envelope, ReplayItem item)
    {
        string from = (mailFrom ?? envelope.Sender).Trim().Trim('<', '>');
        return from.Length > 0
            ? from
            : throw MailRecoveryException.Usage($"{item.Message.File} has the null sender <>, which cannot be its Resent-From.", "pass --mail-from ADDRESS to name who re-sends it.");
    }

    private static bool IsPositive(SmtpResponse reply) => (int)reply.StatusCode is >= 200 and < 300;

    /// <summary>Any 5xx makes it permanent (RFC 5321 §4.2.1); only 4xx means try later.</summary>
    private static DeliveryOutcome Outcome(List<(string Recipient, SmtpResponse Reply)> refused) =>
        refused.Any(r => (int)r.Reply.StatusCode >= 500) ? DeliveryOutcome.Failed : DeliveryOutcome.TryLater;

    private static string Describe(List<(string Recipient, SmtpResponse Reply)> refused) =>
        string.Join("; ", refused.Select(r => $"{r.Recipient}: {(int)r.Reply.StatusCode} {r.Reply.Response.Replace('\n', ' ')}"));

    private static bool IsBrokenConnection(Exception e) =>
        e is IOException or SocketException or SmtpProtocolException or TimeoutException;

    /// <summary><c>lmtp://host:port</c> (TCP; the port is required, LMTP has none of its own) or <c>lmtp:/socket</c>.</summary>
    private static (EndPoint EndPoint, string Where) ParseUri(string text)
    {
        const string Fix = "write it as lmtp://host:port or lmtp:/path/to/socket.";
        MailRecoveryException NotLmtp() => MailRecoveryException.Usage($"--to {text} is not an LMTP target.", Fix);
        MailUri uri = MailUri.Parse(text, Schemes, (problem, detail) => problem switch
        {
            MailUriProblem.Empty or MailUriProblem.NotAUri or MailUriProblem.BadScheme or MailUriProblem.NoHost or MailUriProblem.Password => NotLmtp(),
            MailUriProblem.NoSocketPath => MailRecoveryException.Usage($"--to {text}: no socket path.", Fix),
            _ => MailUriRefusals.Common(problem, detail, text, "target", string.Empty),
        });
        if (uri.SocketPath is string socket)
        {
            string path = Path.GetFullPath(socket);
            return (new UnixDomainSocketEndPoint(path), $"lmtp:{path}");
        }

        if (uri.User.Length > 0 || uri.HasPath || uri.OtherParameters.Count > 0)
            throw NotLmtp();
        // LMTP is for a store on this host or a trusted network and signs nobody in (RFC 2033): ?tls=none is what it is.
        if (uri.Tls is MailUriTls.Implicit or MailUriTls.StartTls)
            throw MailRecoveryException.Usage($"--to {text}: LMTP has no TLS here.", "drop the ?tls= parameter (or write ?tls=none); reach a remote store over SMTP or IMAP instead, or through a tunnel.");
        if (uri.Port is not int port)
            throw MailRecoveryException.Usage($"--to {text}: no port.", "LMTP has no standard port (RFC 2033 §5 keeps it off 25): give the one the store listens on, e.g. lmtp://127.0.0.1:24.");
        return (new DnsEndPoint(uri.SocketHost, port), $"lmtp://{uri.Host}:{port}");
    }
}
