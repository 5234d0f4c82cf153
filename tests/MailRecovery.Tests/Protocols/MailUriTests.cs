using MailRecovery.Core.Errors;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Core.Sources;

namespace MailRecovery.Tests.Protocols;

/// <summary>The one endpoint URI grammar, through each place that takes a URI: source, SMTP (both wordings), LMTP.</summary>
public sealed class MailUriTests
{
    /// <summary>Parses <paramref name="text"/> as the place its scheme belongs to would.</summary>
    private static void ParseAnywhere(string text, bool insecure)
    {
        string scheme = text[..text.IndexOf(':', StringComparison.Ordinal)];
        switch (scheme)
        {
            case "smtp" or "smtps" or "submission":
                SmtpEndpoint.Parse(text, insecure);
                SmtpEndpoint.Parse(text, insecure, SmtpUriWording.ReplayTarget);
                break;
            case "lmtp":
                _ = new LmtpTarget(text, ["a@example.test"], null, false, TimeProvider.System);
                break;
            default:
                SourceUri.Parse(text, insecure);
                break;
        }
    }

    [Theory]
    [InlineData("imap://u@[::1]:10143", 10143, TlsMode.StartTls)]
    [InlineData("imaps://u@[::1]", 993, TlsMode.Implicit)]
    [InlineData("pop3://u@[2001:db8::7]", 110, TlsMode.StartTls)]
    [InlineData("pop3s://u@[2001:db8::7]:10995", 10995, TlsMode.Implicit)]
    public void A_source_takes_an_IPv6_literal(string text, int port, TlsMode tls)
    {
        SourceEndpoint endpoint = SourceUri.Parse(text, insecure: false);

        Assert.StartsWith("[", endpoint.Host, StringComparison.Ordinal);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(tls, endpoint.Tls);
        Assert.Equal(endpoint.Host.Trim('[', ']'), MailServiceConnector.HostForConnect(endpoint.Host));
    }

    [Theory]
    [InlineData("smtp://[::1]", 25, TlsMode.StartTls)]
    [InlineData("smtps://u@[2001:db8::25]", 465, TlsMode.Implicit)]
    [InlineData("submission://u@[2001:db8::25]:2587", 2587, TlsMode.StartTls)]
    public void An_SMTP_endpoint_takes_an_IPv6_literal(string text, int port, TlsMode tls)
    {
        SmtpEndpoint endpoint = SmtpEndpoint.Parse(text, insecure: false);

        Assert.StartsWith("[", endpoint.Host, StringComparison.Ordinal);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(tls, endpoint.Tls);
    }

    [Fact]
    public void An_LMTP_target_takes_an_IPv6_literal()
    {
        var target = new LmtpTarget("lmtp://[2001:db8::24]:24", ["a@example.test"], null, false, TimeProvider.System);
        Assert.StartsWith("lmtp://[2001:db8::24]:24 ", target.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("smtp://relay.example.test", TlsMode.StartTls, false, 25)]
    [InlineData("smtp://relay.example.test?tls=starttls", TlsMode.StartTls, true, 25)]
    [InlineData("smtp://relay.example.test?tls=implicit", TlsMode.Implicit, false, 465)]
    [InlineData("smtps://relay.example.test?tls=implicit", TlsMode.Implicit, false, 465)]
    [InlineData("submission://relay.example.test?TLS=StartTLS", TlsMode.StartTls, true, 587)]
    [InlineData("smtp://relay.example.test?tls=none", TlsMode.None, false, 25)]
    public void Smtp_takes_the_tls_parameter_and_keeps_STARTTLS_when_offered_as_its_default(string text, TlsMode tls, bool required, int port)
    {
        SmtpEndpoint endpoint = SmtpEndpoint.Parse(text, insecure: false, SmtpUriWording.ReplayTarget);

        Assert.Equal(tls, endpoint.Tls);
        Assert.Equal(required, endpoint.RequireStartTls);
        Assert.Equal(port, endpoint.Port);
    }

    [Fact]
    public void Smtp_tls_none_with_a_login_needs_insecure()
    {
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => SmtpEndpoint.Parse("smtp://u@relay.example.test?tls=none", insecure: false));
        Assert.Contains("unencrypted", e.Message, StringComparison.Ordinal);

        SmtpEndpoint endpoint = SmtpEndpoint.Parse("smtp://u@relay.example.test?tls=none", insecure: true);
        Assert.Equal(TlsMode.None, endpoint.Tls);
        Assert.True(endpoint.Insecure);
    }

    [Theory]
    [InlineData("imap://u@h.example.test?tls=implicit", 993)]
    [InlineData("pop3://u@h.example.test?tls=implicit", 995)]
    [InlineData("imaps://u@h.example.test?tls=implicit", 993)]
    public void Tls_implicit_on_a_plain_source_scheme_is_its_s_scheme(string text, int port)
    {
        SourceEndpoint endpoint = SourceUri.Parse(text, insecure: false);
        Assert.Equal(TlsMode.Implicit, endpoint.Tls);
        Assert.Equal(port, endpoint.Port);
    }

    [Fact]
    public void Lmtp_takes_tls_none_and_refuses_TLS_it_cannot_do()
    {
        _ = new LmtpTarget("lmtp://127.0.0.1:24?tls=none", ["a@example.test"], null, false, TimeProvider.System);

        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() =>
            new LmtpTarget("lmtp://127.0.0.1:24?tls=starttls", ["a@example.test"], null, false, TimeProvider.System));
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("no TLS", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The same mistake in any scheme reads the same: the same words in the message, a fix, a usage error.</summary>
    [Theory]
    [InlineData("imap://u@h.example.test?tls=maybe", "is not a TLS mode")]
    [InlineData("pop3s://u@h.example.test?tls=maybe", "is not a TLS mode")]
    [InlineData("smtp://u@h.example.test?tls=maybe", "is not a TLS mode")]
    [InlineData("lmtp://h.example.test:24?tls=maybe", "is not a TLS mode")]
    [InlineData("imaps://u@h.example.test:0", "port 0 is not a port")]
    [InlineData("pop3://u@h.example.test:0", "port 0 is not a port")]
    [InlineData("smtps://h.example.test:0", "port 0 is not a port")]
    [InlineData("lmtp://h.example.test:0", "port 0 is not a port")]
    [InlineData("imaps://u@[fe80::1%25eth0]", "IPv6 zone")]
    [InlineData("pop3s://u@[fe80::1%25eth0]", "IPv6 zone")]
    [InlineData("smtp://[fe80::1%25eth0]", "IPv6 zone")]
    [InlineData("lmtp://[fe80::1%25eth0]:24", "IPv6 zone")]
    [InlineData("imap://u@h.example.test?tls=none", "asks for an unencrypted connection")]
    [InlineData("pop3://u@h.example.test?tls=none", "asks for an unencrypted connection")]
    [InlineData("smtp://u@h.example.test?tls=none", "asks for an unencrypted connection")]
    [InlineData("submission://u@h.example.test?tls=none", "asks for an unencrypted connection")]
    [InlineData("imaps://u@h.example.test?tls=starttls", "asks for implicit TLS and STARTTLS at once")]
    [InlineData("pop3s://u@h.example.test?tls=starttls", "asks for implicit TLS and STARTTLS at once")]
    [InlineData("smtps://u@h.example.test?tls=starttls", "asks for implicit TLS and STARTTLS at once")]
    [InlineData("smtps://h.example.test?tls=none", "asks for implicit TLS and no TLS at once")]
    [InlineData("imaps://u@h.example.test?tls=none", "asks for an unencrypted connection")]
    public void The_same_mistake_reads_the_same_in_every_scheme(string text, string words)
    {
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => ParseAnywhere(text, insecure: false));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains(words, e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(e.Fix));
        if (words.Contains("unencrypted", StringComparison.Ordinal))
            Assert.Contains("--insecure", e.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("imaps://u:s3cret@h.example.test", "--password-file")]
    [InlineData("pop3://u:s3cret@h.example.test", "--password-file")]
    [InlineData("smtp://u:s3cret@h.example.test", "--smtp-password-file")]
    [InlineData("smtps://u:s3cret@h.example.test", "--smtp-password-file")]
    public void A_password_is_refused_in_every_scheme_and_never_echoed(string text, string flag)
    {
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() =>
            text.StartsWith("smtp", StringComparison.Ordinal) ? SmtpEndpoint.Parse(text, true) : (object)SourceUri.Parse(text, true));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("contains a password", e.Message, StringComparison.Ordinal);
        Assert.Contains(flag, e.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", e.UserText, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_scheme_percent_decodes_the_user()
    {
        Assert.Equal("help desk@example.test", SourceUri.Parse("pop3s://help%20desk%40example.test@h.example.test", false).User);
        Assert.Equal("help desk@example.test", SmtpEndpoint.Parse("smtps://help%20desk%40example.test@h.example.test", false).User);
    }

    [Theory]
    [InlineData("imaps://u@h.example.test:65536")]
    [InlineData("smtp://h.example.test:70000")]
    [InlineData("lmtp://h.example.test:99999")]
    public void A_port_above_65535_is_refused(string text)
    {
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => ParseAnywhere(text, insecure: true));
        Assert.Equal(FailureKind.Usage, e.Kind);
    }
}
