using System.Security.Cryptography;
using MailRecovery.Core.Archive;
using MimeKit;
using MimeKit.Utils;

namespace MailRecovery.Core.Probe;

/// <summary>
/// The probe: a small message with a unique token in a header and the subject, whose body says what it is,
/// so a helpdesk agent who sees one knows to ignore it.
/// </summary>
public static class ProbeMessage
{
    public const string SubjectPrefix = "[MailRecovery probe]";

    public static string NewToken() => RandomNumberGenerator.GetHexString(20, lowercase: true);

    public static MimeMessage Create(string token, MailboxAddress from, MailboxAddress alias, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(from);
        var message = new MimeMessage();
        message.From.Add(from);
        message.To.Add(alias);
        message.Subject = $"{SubjectPrefix} alias check {token}";
        message.Date = now;
        message.MessageId = $"{token}.probe@{from.Domain}";
        message.Headers.Add(MessageMetadataReader.ProbeHeader, token);
        message.Headers.Add("Auto-Submitted", "auto-generated"); // RFC 3834: no auto-replies, please
        message.Headers.Add("Precedence", "bulk");
        message.Body = new TextPart("plain")
        {
            Text = $"""
                This is an automatic test message from MailRecovery. Please ignore it.

                MailRecovery keeps a safety copy of every message sent to {alias.Address}. It sends this probe
                to check that the mail server still delivers each message both to the helpdesk and to the copy
                account. Nothing needs to be done; it may be deleted.

                Probe token: {token}
                Sent: {DateUtils.FormatDate(now)}
                """,
        };
        return message;
    }
}
