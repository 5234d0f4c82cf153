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
    private readonly ReplaySmtpClient client;

    // International stays off (MailKit then asks for SMTPUTF8 only when an envelope address needs it); the
    // message is written verbatim either way.
    private readonly FormatOptions format = VerbatimMessage.Format();

    /// <param name="target">The URI as the user wrote it.</param>
    /// <param name="recipients">The <c>--rcpt</c> addresses; at least one.</param>
    /// <param name="mailFrom">The envelope sender for messages without a Return-Path (<c>&lt;&gt;</c> for the null sender).</param>
    /// <param name="resentHeaders">Prepend Resent-Date/-From/-To/-Message-ID; this changes the bytes, on purpose.</param>
    /// <param name="insecure">Allow sending the password over a connection without TLS.</param>
    /// <param name="protocolLogger">Where to log the SMTP conversation (MailKit redacts AUTH secrets); null for nowhere.</param>
    /// <exception cref="MailRecoveryException">The URI or a recipient is not usable (a usage error).</exception>
    public SmtpTarget(string target, IReadOnlyList<string> recipients, string? mailFrom, bool resentHeaders, Protocols.Credential credentials,
        CertificateTrust trust, bool insecure, TimeProvider clock, IProtocolLogger? protocolLogger = null)
    {
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
        client = new ReplaySmtpClient(protocolLogger);
        format.NewLineFormat = NewLineFormat.Dos;
    }

    public string Description => $"{(implicitTls ? "smtps" : "smtp")}://{(user is null ? string.Empty : user + "@")}{host}:{port} (rcpt {string.Join(", ", recipients)})";

    public string JournalKey => $"smtp://{host}:{port} rcpt={ReplayEnvelope.JournalPart(recipients)}";

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ConnectAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException and not MailRecoveryException)
        {
            throw ErrorClassifier.Classify(e, $"target {Description}");
        }
    }

    public string? Checkpoint(ReplayItem item) => null;

    /// <summary>Absent when nothing is known of an earlier delivery; Unknown when one was cut off (SMTP cannot look).</summary>
    public Task<Presence> CheckAsync(ReplayItem item, string? checkpoint, CancellationToken cancellationToken) =>
        Task.FromResult(checkpoint is null ? Presence.Absent : Presence.Unknown);

    public async Task DeliverAsync(ReplayItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);

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
                await ReconnectAsync(cancellationToken);
            await CheckServerTakesAsIsAsync(envelope, item, cancellationToken);
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
                await DropConnectionAsync();
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
                await DropConnectionAsync();
            }
        }
    }

    /// <summary>Logs out. Every delivery was final at its 250 reply (RFC 5321 §4.1.1.4), so nothing hangs on this.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(true, cancellationToken);
        }
        catch (Exception e) when (IsBrokenConnection(e))
        {
            // Gone already; nothing is pending.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (IsBrokenConnection(e))
        {
            // Gone already; nothing is pending.
        }

        client.Dispose();
    }

    private Task ConnectAsync(CancellationToken cancellationToken) =>
        SmtpSessions.OpenAsync(client, endpoint, credentials, trust, new SmtpRefusals(Description,
            () => new MailRecoveryException(FailureKind.Usage, FailureScope.Account,
                $"target {Description}: the server does not offer STARTTLS, so the password would cross the network in clear text.",
                "use smtps:// or a server with STARTTLS; add --insecure to send it anyway (only on loopback or a trusted network)."),
            () => MailRecoveryException.Usage($"target {Description}: the server offers no login (no AUTH in its EHLO reply).", $"remove '{user}@' from the URI.")),
            cancellationToken);

    /// <summary>Connects again for a delivery: an unreachable server means "later" for this message.</summary>
    private async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ConnectAsync(cancellationToken);
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
    private async Task CheckServerTakesAsIsAsync(ReplayEnvelope envelope, ReplayItem item, CancellationToken cancellationToken)
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

    private async Task DropConnectionAsync()
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
