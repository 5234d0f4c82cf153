using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Alerts;

/// <summary>The <c>alerts</c> section: where alerts go and how often a condition that lasts is repeated.</summary>
public sealed class AlertOptions
{
    /// <summary>The webhook, or null.</summary>
    public WebhookSettings? Webhook { get; init; }

    /// <summary>The mail alert, or null.</summary>
    public MailAlertSettings? Mail { get; init; }

    /// <summary>A condition that lasts is alerted again this long after its last alert.</summary>
    /// <value>The default value is 24 hours (configuration key <c>alerts:reminderHours</c>).</value>
    public TimeSpan Reminder { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Trust for the webhook's HTTPS and the SMTP server's TLS: the system store and the top-level <c>caFile</c>.</summary>
    public CertificateTrust Trust { get; init; } = CertificateTrust.System;

    /// <summary>How long one delivery may take before it counts as failed.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}
