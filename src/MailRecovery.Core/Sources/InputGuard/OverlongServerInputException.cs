namespace MailRecovery.Core.Sources.InputGuard;

/// <summary>
/// The server sent more than <see cref="ServerInputGuard.MaxLineBytes"/> bytes without ending a line (or an SMTP
/// reply). A MailKit <see cref="MailKit.ProtocolException"/>, so MailKit drops the connection as for any broken
/// stream; it is deliberately neither an <see cref="IOException"/> nor an Imap/Pop3/SmtpProtocolException, so the
/// "connection broke, reconnect" handlers do not catch it: reconnecting would only be sent the same flood again.
/// <see cref="Errors.ErrorClassifier"/> makes it a permanent failure of that account (or replay target).
/// </summary>
public sealed class OverlongServerInputException : MailKit.ProtocolException
{
    public OverlongServerInputException(string message)
        : base(message)
    {
    }

    public OverlongServerInputException()
    {
    }

    public OverlongServerInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
