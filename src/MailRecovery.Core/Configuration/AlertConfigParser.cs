using MailRecovery.Core.Alerts;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Core.Configuration;

/// <summary>
/// The optional "alerts" section (docs/alerts.md): <c>reminderHours</c> (default 24), <c>webhook</c> (<c>url</c>,
/// <c>format</c>, <c>tokenFile</c> or <c>tokenEnv</c>) and/or <c>mail</c> (<c>smtp</c>, <c>smtpPasswordFile</c>,
/// <c>smtpPasswordEnv</c> or the token keys <c>smtpTokenFile</c>, <c>smtpTokenCommand</c>, <c>smtpOauth2</c>, <c>from</c>,
/// <c>to</c>). The top-level <c>caFile</c> and <c>insecure</c> apply to both.
/// </summary>
internal static class AlertConfigParser
{
    public static AlertOptions? Parse(IConfigurationSection s, string? caFile, bool insecure, string baseDirectory, ILogger? logger)
    {
        if (!s.Exists())
            return null;
        IConfigurationSection webhookSection = s.GetSection("webhook"), mailSection = s.GetSection("mail");
        WebhookSettings? webhook = webhookSection.Exists() ? ParseWebhook(webhookSection, insecure, baseDirectory) : null;
        MailAlertSettings? mail = mailSection.Exists() ? ParseMail(mailSection, insecure, baseDirectory, CertificateTrust.FromFile(caFile), logger) : null;
        if (webhook is null && mail is null)
            throw ConfigLoader.Error(ConfigLoader.KeyOf(s, "webhook"), "the alerts section names no way to alert", "add \"webhook\" (a URL) or \"mail\" (an SMTP server and recipients), or remove \"alerts\".");
        return new AlertOptions
        {
            Webhook = webhook,
            Mail = mail,
            Reminder = TimeSpan.FromHours(ConfigLoader.Int(s, "reminderHours", 24, 1, 10_000)),
            Trust = CertificateTrust.FromFile(caFile),
        };
    }

    private static WebhookSettings ParseWebhook(IConfigurationSection s, bool insecure, string baseDirectory)
    {
        string text = ConfigLoader.Required(s, "url", "the receiver's URL, e.g. \"https://ntfy.example.com/mailrecovery\"");
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
            throw ConfigLoader.Error(ConfigLoader.KeyOf(s, "url"), $"'{text}' is not an http:// or https:// URL", "write the receiver's full URL.");
        string formatText = (ConfigLoader.Optional(s, "format") ?? "generic").ToLowerInvariant();
        WebhookFormat format = formatText switch
        {
            "generic" => WebhookFormat.Generic,
            "slack" => WebhookFormat.Slack,
            "ntfy" => WebhookFormat.Ntfy,
            _ => throw ConfigLoader.Error(ConfigLoader.KeyOf(s, "format"), $"'{formatText}' is not a webhook format", "use \"generic\" (default), \"slack\" or \"ntfy\"."),
        };
        if (format == WebhookFormat.Ntfy && WebhookNotifier.NtfyTopic(url).Topic.Length == 0)
            throw ConfigLoader.Error(ConfigLoader.KeyOf(s, "url"), "an ntfy URL needs the topic", "write the topic's URL, e.g. \"https://ntfy.sh/mailrecovery-3f9c2a\".");
        string? tokenFile = ConfigLoader.Resolve(ConfigLoader.Optional(s, "tokenFile"), baseDirectory);
        string? tokenEnv = tokenFile is null ? ConfigLoader.Optional(s, "tokenEnv") : null;
        SourceCredentials? token = tokenFile is null && tokenEnv is null ? null : new SourceCredentials(tokenFile, tokenEnv);
        if (token is not null && url.Scheme == "http" && !insecure)
            throw ConfigLoader.Error(ConfigLoader.KeyOf(s, "url"), "the token would cross the network in clear text over http://", "use https://, or set \"insecure\": true at the top level on a trusted network.");
        return new WebhookSettings(url, format, token);
    }

    private static MailAlertSettings ParseMail(IConfigurationSection s, bool insecure, string baseDirectory, CertificateTrust trust, ILogger? logger)
    {
        SmtpEndpoint smtp = SmtpEndpoint.Parse(ConfigLoader.Required(s, "smtp", "smtp://host[:port] or smtps://host[:port]"), insecure);
        string[] to = [.. s.GetSection("to").GetChildren().Select(c => c.Value?.Trim() ?? string.Empty).Where(v => v.Length > 0)];
        if (to.Length == 0)
            throw ConfigLoader.Error(ConfigLoader.KeyOf(s, "to"), "is missing", "set it to a list of addresses, e.g. [\"admin@example.com\"].");
        foreach (string address in to.Append(ConfigLoader.Optional(s, "from") ?? "x@x"))
        {
            if (!MimeKit.MailboxAddress.TryParse(address, out _))
                throw ConfigLoader.Error(ConfigLoader.KeyOf(s, "to"), $"'{address}' is not an address", "write addresses like admin@example.com.");
        }

        string from = ConfigLoader.Optional(s, "from") ?? $"mailrecovery@{MimeKit.MailboxAddress.Parse(to[0]).Domain}";
        return new MailAlertSettings(smtp, TokenConfigParser.ParseCredential(s, baseDirectory, "smtp", "the alert mail's SMTP sign-in", trust, logger), from, to);
    }
}
