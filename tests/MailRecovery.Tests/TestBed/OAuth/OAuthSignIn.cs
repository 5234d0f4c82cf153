using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace MailRecovery.Tests.TestBed.OAuth;

/// <summary>Signs in to the bed's Dovecot (IMAP, POP3) and Postfix submission (SMTP) with a bearer token through MailKit.</summary>
public static class OAuthSignIn
{
    public enum Protocol
    {
        Imap,
        Pop3,
        Smtp,
    }

    /// <summary>"XOAUTH2" (Microsoft's and Google's) or "OAUTHBEARER" (RFC 7628).</summary>
    public static SaslMechanism Mechanism(string name, string user, string token) => name switch
    {
        "XOAUTH2" => new SaslMechanismOAuth2(user, token),
        "OAUTHBEARER" => new SaslMechanismOAuthBearer(user, token),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>Connects over TLS, authenticates, disconnects; throws MailKit's AuthenticationException when refused.</summary>
    public static async Task SignInAsync(TestBedFixture bed, Protocol protocol, string mechanism, string user, string token)
    {
        IMailService client = protocol switch
        {
            Protocol.Imap => new ImapClient(),
            Protocol.Pop3 => new Pop3Client(),
            _ => new SmtpClient(),
        };
        using (client)
        {
            client.ServerCertificateValidationCallback = bed.Trust.Validate;
            (int port, SecureSocketOptions tls) = protocol switch
            {
                Protocol.Imap => (bed.ImapsPort, SecureSocketOptions.SslOnConnect),
                Protocol.Pop3 => (bed.Pop3sPort, SecureSocketOptions.SslOnConnect),
                _ => (bed.SubmissionPort, SecureSocketOptions.StartTls),
            };
            await client.ConnectAsync("127.0.0.1", port, tls);
            Assert.Contains(mechanism, client.AuthenticationMechanisms);
            await client.AuthenticateAsync(Mechanism(mechanism, user, token));
            Assert.True(client.IsAuthenticated);
            await client.DisconnectAsync(true);
        }
    }

    /// <summary>
    /// Sign-in refused. MailKit 4.18 reports a refused XOAUTH2/OAUTHBEARER as AuthenticationException for IMAP and
    /// SMTP, but as Pop3ProtocolException for POP3 (Dovecot answers the mechanism's error challenge with -ERR).
    /// </summary>
    public static async Task AssertRefusedAsync(TestBedFixture bed, Protocol protocol, string mechanism, string user, string token)
    {
        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => SignInAsync(bed, protocol, mechanism, user, token));
        Assert.True(e is AuthenticationException || (protocol == Protocol.Pop3 && e is Pop3ProtocolException), $"not refused but {e}");
    }

    /// <summary>The last line of Dovecot's log that says why an oauth2 sign-in failed ("Token has expired", …).</summary>
    public static string LastOAuthFailure(TestBedFixture bed) =>
        File.ReadLines(Path.Combine(bed.Dir, "log", "dovecot.log")).LastOrDefault(l => l.Contains("oauth2 failed", StringComparison.Ordinal)) ?? "";
}
