using MailRecovery.Core.Errors;
using MailRecovery.Core.Sources;

namespace MailRecovery.Tests.Sources;

public sealed class SourceUriTests
{
    [Theory]
    [InlineData("imap://support@mail.example.test", MailProtocol.Imap, 143, TlsMode.StartTls)]
    [InlineData("imaps://support@mail.example.test", MailProtocol.Imap, 993, TlsMode.Implicit)]
    [InlineData("pop3://support@mail.example.test", MailProtocol.Pop3, 110, TlsMode.StartTls)]
    [InlineData("pop3s://support@mail.example.test", MailProtocol.Pop3, 995, TlsMode.Implicit)]
    public void Each_scheme_has_its_default_port_and_TLS_mode(string text, MailProtocol protocol, int port, TlsMode tls)
    {
        SourceEndpoint endpoint = SourceUri.Parse(text, insecure: false);

        Assert.Equal(protocol, endpoint.Protocol);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(tls, endpoint.Tls);
        Assert.Equal("mail.example.test", endpoint.Host);
        Assert.Equal("support", endpoint.User);
    }

    [Theory]
    [InlineData("imaps://u@h.example.test:10993", 10993)]
    [InlineData("imap://u@h.example.test:993", 993)]
    [InlineData("pop3s://u@h.example.test:110", 110)]
    public void An_explicit_port_wins_over_the_default(string text, int port) =>
        Assert.Equal(port, SourceUri.Parse(text, insecure: false).Port);

    [Fact]
    public void An_IMAP_URI_without_a_path_reads_INBOX() =>
        Assert.Equal(["INBOX"], SourceUri.Parse("imaps://u@h.example.test", insecure: false).Mailboxes);

    [Theory]
    [InlineData("imaps://u@h.example.test/Archive", "Archive")]
    [InlineData("imaps://u@h.example.test/Support/Archive/", "Support/Archive")]
    [InlineData("imap://u@h.example.test/Support%2FArchive", "Support/Archive")]
    [InlineData("imaps://u@h.example.test/Sent%20Items", "Sent Items")]
    public void The_path_names_the_mailbox_unescaped(string text, string mailbox) =>
        Assert.Equal([mailbox], SourceUri.Parse(text, insecure: false).Mailboxes);

    [Fact]
    public void An_escaped_at_sign_belongs_to_the_user() =>
        Assert.Equal("support@example.test", SourceUri.Parse("imaps://support%40example.test@h.example.test", insecure: false).User);

    [Fact]
    public void A_POP3_URI_has_no_mailboxes() =>
        Assert.Empty(SourceUri.Parse("pop3s://u@h.example.test", insecure: false).Mailboxes);

    [Theory]
    [InlineData("imap://u@h.example.test?tls=none")]
    [InlineData("pop3://u@h.example.test?tls=none")]
    public void Tls_none_is_refused_without_insecure(string text)
    {
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => SourceUri.Parse(text, insecure: false));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("unencrypted", e.Message, StringComparison.Ordinal);
        Assert.Contains("--insecure", e.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("imap://u@h.example.test?tls=none", 143)]
    [InlineData("pop3://u@h.example.test?TLS=None", 110)]
    public void Tls_none_is_accepted_with_insecure(string text, int port)
    {
        SourceEndpoint endpoint = SourceUri.Parse(text, insecure: true);

        Assert.Equal(TlsMode.None, endpoint.Tls);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("imaps://u@h.example.test?tls=none")]
    [InlineData("pop3s://u@h.example.test?tls=none")]
    public void Tls_none_on_an_implicit_TLS_scheme_is_refused_even_with_insecure(string text)
    {
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => SourceUri.Parse(text, insecure: true));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.NotNull(e.Fix);
    }

    [Fact]
    public void A_password_in_the_URI_is_refused_and_not_echoed()
    {
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => SourceUri.Parse("imaps://u:s3cret@h.example.test", insecure: false));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("password", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", e.UserText, StringComparison.Ordinal);
        Assert.Contains("--password-file", e.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("imaps://h.example.test", "no user")]
    [InlineData("smtp://u@h.example.test", "not a source scheme")]
    [InlineData("http://u@h.example.test", "not a source scheme")]
    [InlineData("pop3s://u@h.example.test/INBOX", "POP3 has no mailboxes")]
    [InlineData("imaps://u@h.example.test?tls=maybe", "not a TLS mode")]
    [InlineData("imaps://u@h.example.test?user=x", "unknown URI parameter")]
    [InlineData("not a uri", "not a source URI")]
    [InlineData("  ", "empty")]
    public void A_malformed_URI_is_a_usage_error_with_a_fix(string text, string problem)
    {
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => SourceUri.Parse(text, insecure: true));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(e.Fix));
    }

    [Theory]
    [InlineData("imaps://support@Mail.Example.Test/Archive", "imap://support@mail.example.test:993")]
    [InlineData("imap://support@mail.example.test:1143?tls=none", "imap://support@mail.example.test:1143")]
    [InlineData("pop3s://support@mail.example.test", "pop3://support@mail.example.test:995")]
    public void The_account_key_names_protocol_user_host_and_port(string text, string key)
    {
        SourceEndpoint endpoint = SourceUri.Parse(text, insecure: true);

        Assert.Equal(key, endpoint.AccountKey);
        Assert.Equal(key, endpoint.ToString());
    }
}
