using MailRecovery.Core.Probe;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Core.Sources;

namespace MailRecovery.Tests.Protocols;

/// <summary>
/// The strings that name an endpoint in the index (account key) and the replay journal (target key) must not
/// change when the URI grammar does: a changed key makes a re-run see a new account or a new target and deliver
/// again. These values were taken from the parsers before they became one (commit 8efb335).
/// </summary>
public sealed class EndpointIdentityTests
{
    [Theory]
    [InlineData("imaps://support@Mail.Example.Test/Archive", "imap://support@mail.example.test:993")]
    [InlineData("IMAP://support@mail.example.test:1143?tls=none", "imap://support@mail.example.test:1143")]
    [InlineData("pop://support%40example.test@mail.example.test", "pop3://support@example.test@mail.example.test:110")]
    [InlineData("pops://u@[::1]", "pop3://u@[::1]:995")]
    [InlineData("imap://u@[2001:DB8::1]:10143/INBOX", "imap://u@[2001:db8::1]:10143")]
    [InlineData("imaps://u@192.0.2.7:993", "imap://u@192.0.2.7:993")]
    public void Account_keys_are_unchanged(string text, string key) =>
        Assert.Equal(key, SourceUri.Parse(text, insecure: true).AccountKey);

    [Theory]
    [InlineData("smtp://Relay.Example.Test", "smtp://relay.example.test:25")]
    [InlineData("smtps://u%40x.test@relay.example.test", "smtps://u@x.test@relay.example.test:465")]
    [InlineData("submission://u@relay.example.test", "smtp://u@relay.example.test:587")]
    [InlineData("smtp://[::1]:2525", "smtp://[::1]:2525")]
    public void Smtp_endpoint_names_are_unchanged(string text, string name) =>
        Assert.Equal(name, SmtpEndpoint.Parse(text, insecure: false).ToString());

    [Theory]
    [InlineData("smtp://Relay.Example.Test", "smtp://relay.example.test:25 rcpt=a@example.test")]
    [InlineData("smtps://u@relay.example.test:4465", "smtp://relay.example.test:4465 rcpt=a@example.test")]
    [InlineData("smtp://[::1]", "smtp://[::1]:25 rcpt=a@example.test")]
    public async Task Smtp_target_journal_keys_are_unchanged(string text, string key)
    {
        await using var target = new SmtpTarget(text, ["a@example.test"], null, false, SourceCredentials.None, CertificateTrust.System, false, TimeProvider.System);
        Assert.Equal(key, target.JournalKey);
    }

    [Theory]
    [InlineData("lmtp://127.0.0.1:24", "lmtp://127.0.0.1:24 rcpt=a@example.test")]
    [InlineData("LMTP://LocalHost:2424/", "lmtp://localhost:2424 rcpt=a@example.test")]
    [InlineData("lmtp://[::1]:24", "lmtp://[::1]:24 rcpt=a@example.test")]
    [InlineData("lmtp:/var/run/dovecot/lmtp", "lmtp:/var/run/dovecot/lmtp rcpt=a@example.test")]
    [InlineData("lmtp:///var/run/dovecot/lmtp", "lmtp:/var/run/dovecot/lmtp rcpt=a@example.test")]
    public async Task Lmtp_target_journal_keys_are_unchanged(string text, string key)
    {
        await using var target = new LmtpTarget(text, ["a@example.test"], null, false, TimeProvider.System);
        Assert.Equal(key, target.JournalKey);
    }
}
