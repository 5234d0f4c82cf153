using MailRecovery.Core.Probe;
using MailRecovery.Core.Sources;

namespace MailRecovery.Core.Alerts;

/// <summary>The <c>alerts:mail</c> section: the SMTP server (the same URI grammar, TLS and password rules as the alias probe's), sender and recipients.</summary>
public sealed record MailAlertSettings(SmtpEndpoint Smtp, Protocols.Credential Credentials, string From, IReadOnlyList<string> To);
