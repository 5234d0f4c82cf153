using MailKit.Net.Smtp;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Sources;
using MimeKit;

namespace MailRecovery.Core.Alerts;

/// <summary>
/// Mails an alert through an SMTP server, connected as the alias probe connects (<see cref="SmtpConnector"/>: the
/// same TLS and password rules). Plain text, marked automatic (RFC 3834 <c>Auto-Submitted</c>) so that no
/// vacation reply comes back, with the condition in <c>X-MailRecovery-Alert</c> for mail filters.
/// </summary>
public sealed class MailNotifier(MailAlertSettings settings, CertificateTrust trust) : IAlertNotifier
{
    public const string AlertHeader = "X-MailRecovery-Alert";

    public string Name => "mail";

    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        using MimeMessage message = Create(alert);
        using SmtpClient smtp = await SmtpConnector.ConnectAsync(settings.Smtp, settings.Credentials, trust, cancellationToken);
        await smtp.SendAsync(message, cancellationToken);
        await smtp.DisconnectAsync(true, cancellationToken);
    }

    internal MimeMessage Create(Alert alert)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        foreach (string to in settings.To)
            message.To.Add(MailboxAddress.Parse(to));
        message.Subject = $"[MailRecovery] {alert.Headline}: {alert.Condition}{(alert.Account is null ? string.Empty : $" ({alert.Account})")} on {alert.Host}";
        message.Date = alert.At;
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add(AlertHeader, $"{alert.EventName} {alert.Condition}");
        message.Body = new TextPart("plain")
        {
            Text = $"""
                {alert.Text}

                MailRecovery sends one alert when a condition starts, a reminder every day while it lasts, and one
                when it clears. `mailrecovery status --config ...` shows everything that needs attention.
                """,
        };
        return message;
    }
}
