using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Sources.InputGuard;
using MimeKit;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// Re-delivers archived messages over SMTP (RFC 5321) to the <c>--rcpt</c> addresses: <c>smtp://host[:port]</c>
/// (port 25; STARTTLS when the server offers it, as MTAs do) or <c>smtps://host[:port]</c> (port 465, implicit
/// TLS); <c>smtp://user@host</c> logs in with the password file, and a password is never sent over an
/// unencrypted connection unless <c>--insecure</c>.
/// <para>
/// The archived bytes go out unchanged: MailKit's re-encoding is switched off (<see cref="ReplaySmtpClient"/>),
/// and a message the server cannot take as it is fails instead (8-bit content without 8BITMIME, RFC 6152;
/// a non-ASCII envelope address without SMTPUTF8, RFC 6531). The only changes are the ones SMTP itself needs:
/// a bare LF becomes CRLF (RFC 5321 §2.3.8) and a last line without a line end gets one; and, only when
/// <c>resentHeaders</c> is asked for, a Resent-* block on top (RFC 5322 §3.6.6). MailKit removes nothing (no
/// Bcc stripping). The envelope sender is the message's Return-Path, else <c>--mail-from</c> (see
/// <see cref="ReplayEnvelope"/>); the Return-Path field itself is sent as archived, and Postfix drops it
/// (message_drop_headers), as RFC 5321 §4.4 lets it, before the final delivery writes the same one anew.
/// </para>
/// <para>
/// SMTP cannot be asked whether a message arrived, so <see cref="CheckAsync"/> answers Unknown for an unfinished
/// delivery; a connection that breaks after the server accepted the recipients is reported Uncertain. A
/// refused recipient makes MailKit reset the transaction, so a message reaches all recipients or none.
/// </para>
/// <para>
/// With <c>connections</c> above 1 it keeps up to that many sessions, one per delivery in flight
/// (<see cref="MaxParallelDeliveries"/>): an MTA answers each DATA only after it has queued the message durably
/// (Postfix: ~40 ms), so one connection waits most of the time. Sessions open as the run needs them, the first in
/// <see cref="OpenAsync"/> (a refused login shows before anything is sent), and each is reused.
/// </para>
/// </summary>
public sealed class SmtpTarget : IReplayTarget
{
    private readonly SmtpEndpoint endpoint;
    private readonly bool implicitTls;
    private readonly string host;
    private readonly int port;
    private readonly string? user;
    private readonly IReadOnlyList<string> recipients;
    private readonly IReadOnlyList<MailboxAddress> recipientMailboxes;
    private readonly string? mailFrom;
    private readonly bool resentHeaders;
    private readonly Protocols.Credential credentials;
    private readonly CertificateTrust trust;
    private readonly TimeProvider clock;
    private readonly int connections;
    private readonly IProtocolLogger? protocolLogger;

    /// <summary>Every session made so far (at most <see cref="connections"/>), for logging out; under <see cref="sessionsGate"/>.</summary>
    private readonly List<ReplaySmtpClient> sessions = [];

    /// <summary>The sessions no delivery is using now, connected or not; under <see cref="sessionsGate"/>.</summary>
    private readonly List<ReplaySmtpClient> idle = [];
    private readonly Lock sessionsGate = new();

    // International stays off (MailKit then asks for SMTPUTF8 only when an envelope address needs it); the
    // message is written verbatim either way.
    private readonly FormatOptions format = VerbatimMessage.Format();

    /// <param name="target">The URI as the user wrote it.</param>
    /// <param name="recipients">The <c>--rcpt</c> addresses; at least one.</param>
    /// <param name="mailFrom">The envelope sender for messages without a Return-Path (<c>&lt;&gt;</c> for the null sender).</param>
    /// <param name="resentHeaders">Prepend Resent-Date/-From/-To/-Message-ID; this changes the bytes, on purpose.</param>
    /// <param name="insecure">Allow sending the password over a connection without TLS.</param>
    /// <param name="protocolLogger">Where to log the SMTP conversation (MailKit redacts AUTH secrets); null for nowhere. Shared by all sessions.</param>
    /// <param name="connections">The most sessions at once (<c>--connections</c>, at least 1): deliveries that may run in parallel.</param>
    /// <exception cref="MailRecoveryException">The URI or a recipient is not usable (a usage error).</exception>
    public SmtpTarget(string target, IReadOnlyList<string> recipients, string? mailFrom, bool resentHeaders, Protocols.Credential credentials,
        CertificateTrust trust, bool insecure, TimeProvider clock, IProtocolLogger? protocolLogger = null, int connections = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, 1);
        ArgumentNullException.ThrowIfNull(target);
        endpoint = SmtpEndpoint.Parse(target, insecure, SmtpUriWording.ReplayTarget);
        (implicitTls, host, port, user) = (endpoint.Tls == TlsMode.Implicit, endpoint.Host, endpoint.Port, endpoint.User);
        this.recipients = ReplayEnvelope.CheckRecipients(recipients, target);
        recipientMailboxes = this.recipients.Select(r => Mailbox(r, "--rcpt")).ToList();
        this.mailFrom = mailFrom;
        this.resentHeaders = resentHeaders;
        this.credentials = credentials;
        this.trust = trust;
        this.clock = clock;
        this.connections = connections;
        this.protocolLogger = protocolLogger;
        format.NewLineFormat = NewLineFormat.Dos;
    }

    public string Description => $"{(implicitTls ? "smtps" : "smtp")}://{(user is null ? string.Empty : user + "@")}{host}:{port} (rcpt {string.Join(", ", recipients)})";

    public string JournalKey => $"smtp://{host}:{port} rcpt={ReplayEnvelope.JournalPart(recipients)}";

    public int MaxParallelDeliveries => connections;

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        ReplaySmtpClient client = Take();
        try
        {
            await ConnectAsync(client, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException and not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"target {Description}");
        }
        finally
        {
            Return(client);
        }
    }

    public string? Checkpoint(ReplayItem item) => null;

    /// <summary>Absent when nothing is known of an earlier delivery; Unknown when one was cut off (SMTP cannot look).</summary>
    public Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken) =>
        Task.FromResult(checkpoint is null ? Presence.Absent : Presence.Unknown);

    /// <summary>Delivers on a session no other delivery is using; safe to call up to <see cref="MaxParallelDeliveries"/> times at once.</summary>
    public async Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        ReplaySmtpClient client = Take();
        try
        {
            await DeliverAsync(client, item, cancellationToken);
        }
        finally
        {
            Return(client);
        }
    }

    private async Task DeliverAsync(ReplaySmtpClient client, ReplayItem item, CancellationToken cancellationToken)
    {

        // The file stays open while MailKit sends: the message is the file's bytes (VerbatimMessage), read as they go.
        await using Stream file = item.OpenRead();
        ReplayEnvelope envelope = await ReplayEnvelope.ReadAsync(file, recipients, mailFrom, item.Message.File, cancellationToken);
        MailboxAddress sender = Mailbox(envelope.Sender, $"the Return-Path of {item.Message.File}");
        file.Position = 0;
        byte[] prefix = resentHeaders
            ? ResentHeaders.ToBytes(ResentHeaders.Create(ResentFrom(envelope, item), recipients, clock.GetUtcNow()))
            : [];
        using MimeMessage message = VerbatimMessage.Create(file, crlf: true, prefix);

        // SIZE= is an estimate (RFC 1870 §3); the bytes after CRLF conversion may be a few more.
        long size = file.Length + prefix.Length;

        for (int attempt = 1; ; attempt++)
        {
            bool reused = client.IsConnected;
            if (!reused)
                await ReconnectAsync(client, cancellationToken);
            await CheckServerTakesAsIsAsync(client, envelope, item, cancellationToken);
            client.SizeHint = size;
            client.BeginMessage();
            try
            {
                await client.SendAsync(format, message, sender, recipientMailboxes, cancellationToken);
                return;
            }
            catch (SmtpCommandException e) when (attempt == 1 && reused && e.StatusCode == SmtpStatusCode.ServiceNotAvailable && !client.RecipientAccepted)
            {
                // 421 (RFC 5321 §3.8): the server closed an idle connection. Nothing was sent: reconnect, send again.
                await DropConnectionAsync(client);
            }
            catch (SmtpCommandException e)
            {
                throw Refused(e);
            }
            catch (ServiceNotAuthenticatedException e)
            {
                throw new MailRecoveryException(FailureKind.Authentication, FailureScope.Account,
                    $"target {Description}: the server wants a login before it takes mail ({e.Message.TrimEnd('.')}).",
                    "put the user in the URI (smtp://user@host) and pass --password-file.", e);
            }
            catch (OverlongServerInputException e) when (client.RecipientAccepted)
            {
                throw new DeliveryException(DeliveryOutcome.Uncertain,
                    $"{host}:{port} flooded its reply after it accepted the recipients, perhaps after it took the message ({e.Message.TrimEnd('.')}); not sent again, which could deliver it twice", e);
            }
            catch (OverlongServerInputException e)
            {
                // Not a message problem: the server is broken or not an SMTP server. The replay stops here.
                throw ErrorClassifier.Classify(e, $"target {Description}");
            }
            catch (Exception e) when (IsBrokenConnection(e))
            {
                if (client.RecipientAccepted)
                {
                    throw new DeliveryException(DeliveryOutcome.Uncertain,
                        $"the connection to {host}:{port} broke after the server accepted the recipients, perhaps after it took the message ({e.Message.TrimEnd('.')}); not sent again, which could deliver it twice", e);
                }

                if (attempt > 1 || !reused)
                    throw new DeliveryException(DeliveryOutcome.TryLater, $"the connection to {host}:{port} broke before the message was handed over ({e.Message.TrimEnd('.')})", e);

                // The kept-open connection had died while idle; nothing of this message was accepted. Once more.
                await DropConnectionAsync(client);
            }
        }
    }

    /// <summary>Logs out of every session. Every delivery was final at its 250 reply (RFC 5321 §4.1.1.4), so nothing hangs on this.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Sessions().Select(client => QuitAsync(client, Timeout.InfiniteTimeSpan, cancellationToken)));

    public async ValueTask DisposeAsync()
    {
        ReplaySmtpClient[] all = Sessions();
        await Task.WhenAll(all.Select(client => QuitAsync(client, TimeSpan.FromSeconds(5), CancellationToken.None)));
        foreach (ReplaySmtpClient client in all)
            client.Dispose();
    }

    /// <summary>QUIT, waiting at most <paramref name="wait"/> for the reply.</summary>
    private static async Task QuitAsync(ReplaySmtpClient client, TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(true, cancellationToken).WaitAsync(wait, cancellationToken);
        }
        catch (Exception e) when (IsBrokenConnection(e))
        {
            // Gone already (or too slow to say goodbye); nothing is pending.
        }
    }

    /// <summary>
    /// An idle session, a connected one first; else a new one (not yet connected). The run never asks for more than
    /// <see cref="connections"/>, and after a server refused a connection (421) it asks for fewer: then the sessions
    /// that work are reused, and no refused one is tried again while one of them is free.
    /// </summary>
    private ReplaySmtpClient Take()
    {
        lock (sessionsGate)
        {
            int i = idle.FindIndex(c => c.IsConnected);
            if (i < 0 && idle.Count > 0)
                i = idle.Count - 1;
            if (i >= 0)
            {
                ReplaySmtpClient taken = idle[i];
                idle.RemoveAt(i);
                return taken;
            }

            var client = new ReplaySmtpClient(protocolLogger);
            sessions.Add(client);
            return client;
        }
    }

    private void Return(ReplaySmtpClient client)
    {
        lock (sessionsGate)
            idle.Add(client);
    }

    private ReplaySmtpClient[] Sessions()
    {
        lock (sessionsGate)
            return [.. sessions];
    }

    private Task ConnectAsync(ReplaySmtpClient client, CancellationToken cancellationToken) =>
        SmtpSessions.OpenAsync(client, endpoint, credentials, trust, new SmtpRefusals(Description,
            () => new MailRecoveryException(FailureKind.Usage, FailureScope.Account,
                $"target {Description}: the server does not offer STARTTLS, so the password would cross the network in clear text.",
                "use smtps:// or a server with STARTTLS; add --insecure to send it anyway (only on loopback or a trusted network)."),
            () => MailRecoveryException.Usage($"target {Description}: the server offers no login (no AUTH in its EHLO reply).", $"remove '{user}@' from the URI.")),
            cancellationToken);

    /// <summary>Connects again for a delivery: an unreachable server means "later" for this message.</summary>
    private async Task ReconnectAsync(ReplaySmtpClient client, CancellationToken cancellationToken)
    {
        try
        {
            await ConnectAsync(client, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException and not MailRecoveryException)
        {
            MailRecoveryException error = ErrorClassifier.Classify(e, $"target {Description}");
            if (error.IsTransient)
                throw new DeliveryException(DeliveryOutcome.TryLater, error.Message, e);
            throw error;
        }
    }

    /// <summary>Refuses, before anything is sent, a message this server could only take re-encoded.</summary>
    private async Task CheckServerTakesAsIsAsync(ReplaySmtpClient client, ReplayEnvelope envelope, ReplayItem item, CancellationToken cancellationToken)
    {
        if (envelope.NeedsSmtpUtf8 && !client.Capabilities.HasFlag(SmtpCapabilities.UTF8))
        {
            throw new DeliveryException(DeliveryOutcome.Failed,
                $"the envelope <{envelope.Sender}> → {string.Join(", ", recipients)} is not ASCII and {host}:{port} does not offer SMTPUTF8 (RFC 6531), so it cannot take the message");
        }

        if (!client.Capabilities.HasFlag(SmtpCapabilities.EightBitMime) && await ReplayEnvelope.ContainsEightBitAsync(item.Path, cancellationToken))
        {
            throw new DeliveryException(DeliveryOutcome.Failed,
                $"the message holds 8-bit bytes and {host}:{port} does not offer 8BITMIME (RFC 6152); sending it would mean re-encoding it, which changes the archived bytes");
        }
    }

    private string ResentFrom(ReplayEnvelope envelope, ReplayItem item)
    {
        string from = (mailFrom ?? envelope.Sender).Trim().Trim('<', '>');
        return from.Length > 0
            ? from
            : throw MailRecoveryException.Usage($"{item.Message.File} has the null sender <>, which cannot be its Resent-From.", "pass --mail-from ADDRESS to name who re-sends it.");
    }

    private static async Task DropConnectionAsync(ReplaySmtpClient client)
    {
        try
        {
            await client.DisconnectAsync(false, CancellationToken.None);
        }
        catch (Exception e) when (IsBrokenConnection(e))
        {
            // Already gone: that is what we wanted.
        }
    }

    /// <summary>The server said no (RFC 5321 §4.2.1): 4xx = try later, 5xx = failed; the reply goes into the message.</summary>
    private static DeliveryException Refused(SmtpCommandException e)
    {
        int code = (int)e.StatusCode;
        string what = e.ErrorCode switch
        {
            SmtpErrorCode.RecipientNotAccepted => $"RCPT TO:<{e.Mailbox?.Address}> was refused, so it was sent to nobody",
            SmtpErrorCode.SenderNotAccepted => $"MAIL FROM:<{e.Mailbox?.Address}> was refused",
            SmtpErrorCode.MessageNotAccepted => "the message was refused",
            _ => "the SMTP server refused a command",
        };
        return new DeliveryException(code is >= 400 and < 500 ? DeliveryOutcome.TryLater : DeliveryOutcome.Failed, $"{what}: {code} {e.Message}", e);
    }

    private static bool IsBrokenConnection(Exception e) =>
        e is IOException or SocketException or SmtpProtocolException or TimeoutException or ServiceNotConnectedException;

    private static MailboxAddress Mailbox(string address, string what)
    {
        try
        {
            return new MailboxAddress(string.Empty, address);
        }
        catch (ParseException e)
        {
            throw MailRecoveryException.Usage($"{what}: '{address}' is not a mail address ({e.Message.TrimEnd('.')}).", "give an address like helpdesk@example.com.");
        }
    }
}
