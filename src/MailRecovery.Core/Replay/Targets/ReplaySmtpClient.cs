using MailKit.Net.Smtp;
using MailRecovery.Core.Sources.InputGuard;
using MimeKit;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// MailKit's SMTP client, made to hand a message over exactly as it was parsed. Before sending, MailKit calls
/// <see cref="Prepare"/>, whose default (<see cref="MimeMessage.Prepare"/>) re-encodes every part that does not
/// fit what the server announced: undeclared 8-bit text gains a Content-Transfer-Encoding header, or becomes
/// quoted-printable without 8BITMIME, and long lines are re-encoded. A replay must not change the archived
/// bytes, so here it does nothing, and <see cref="SmtpTarget"/> refuses a message the server cannot take as it is.
/// </summary>
internal sealed class ReplaySmtpClient : SmtpClient
{
    public ReplaySmtpClient(MailKit.IProtocolLogger? protocolLogger)
        : base(new ServerInputGuard(ServerFraming.Smtp, protocolLogger))
    {
    }

    /// <summary>The size announced with SIZE= (RFC 1870 calls it an estimate); negative to let MailKit measure.</summary>
    public long SizeHint { get; set; } = -1;

    /// <summary>
    /// True once the server accepted a recipient of the current message (RFC 5321 §3.3): from then on a broken
    /// connection may have come after the end of the data, so the message may have been delivered.
    /// </summary>
    public bool RecipientAccepted { get; private set; }

    /// <summary>Call before each message.</summary>
    public void BeginMessage() => RecipientAccepted = false;

    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
        // Deliberately nothing: the archived bytes go out as they are (see the class comment).
    }

    protected override void OnRecipientAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        RecipientAccepted = true;
        base.OnRecipientAccepted(message, mailbox, response);
    }

    // MailKit would measure the size by writing the whole message once more; the file length is known.
    protected override Task<long> GetSizeAsync(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) =>
        SizeHint >= 0 ? Task.FromResult(SizeHint) : base.GetSizeAsync(options, message, cancellationToken);

    protected override long GetSize(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) =>
        SizeHint >= 0 ? SizeHint : base.GetSize(options, message, cancellationToken);
}
