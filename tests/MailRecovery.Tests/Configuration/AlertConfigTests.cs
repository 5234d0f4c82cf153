using MailRecovery.Core.Alerts;
using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Configuration;

/// <summary>The "alerts" section: defaults, and each mistake named with its key and fix.</summary>
[Collection(ConfigLoaderEnvironmentTests.Collection)]
public sealed class AlertConfigTests : IDisposable
{
    private const string Accounts = """ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P" } ] """;
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Defaults_are_generic_format_a_daily_reminder_and_a_sender_in_the_first_recipients_domain()
    {
        MailRecoveryConfig config = Load("""{ "webhook": { "url": "https://hooks.example.test/x" }, "mail": { "smtp": "smtps://u@mail.example.test", "smtpPasswordFile": "smtp.pw", "to": ["ops@example.org", "b@example.net"] } }""");
        AlertOptions alerts = config.Alerts!;
        Assert.Equal(WebhookFormat.Generic, alerts.Webhook!.Format);
        Assert.Null(alerts.Webhook.Token);
        Assert.Equal(TimeSpan.FromHours(24), alerts.Reminder);
        Assert.Equal("mailrecovery@example.org", alerts.Mail!.From);
        Assert.Equal(dir.Sub("smtp.pw"), Assert.IsType<MailRecovery.Core.Sources.SourceCredentials>(alerts.Mail.Credentials).PasswordFile);
        Assert.Equal(465, alerts.Mail.Smtp.Port);
        Assert.Null(ConfigLoader.Load(Write($$"""{ {{Accounts}} }""")).Alerts);
    }

    [Theory]
    [InlineData("""{ "reminderHours": 12 }""", "alerts.webhook", "no way to alert")]
    [InlineData("""{ "webhook": { "url": "ftp://x/y" } }""", "alerts.webhook.url", "not an http")]
    [InlineData("""{ "webhook": { "url": "https://x/y", "format": "teams" } }""", "alerts.webhook.format", "not a webhook format")]
    [InlineData("""{ "webhook": { "url": "https://ntfy.example.test/", "format": "ntfy" } }""", "alerts.webhook.url", "needs the topic")]
    [InlineData("""{ "webhook": { "url": "http://x/y", "tokenFile": "t" } }""", "alerts.webhook.url", "clear text")]
    [InlineData("""{ "mail": { "smtp": "smtp://m" } }""", "alerts.mail.to", "is missing")]
    [InlineData("""{ "mail": { "smtp": "smtp://m", "to": ["not an address"] } }""", "alerts.mail.to", "not an address")]
    [InlineData("""{ "webhook": { "url": "https://x/y", "secret": "s" } }""", "alerts.webhook.secret", "")]
    public void A_mistake_names_the_key(string alerts, string key, string problem)
    {
        var e = Assert.Throws<MailRecoveryException>(() => Load(alerts));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Equal(FailureKind.Usage, e.Kind);
    }

    private MailRecoveryConfig Load(string alerts) => ConfigLoader.Load(Write($$"""{ {{Accounts}}, "alerts": {{alerts}} }"""));

    private string Write(string json)
    {
        string path = dir.Sub("config.json");
        File.WriteAllText(path, json);
        return path;
    }
}
