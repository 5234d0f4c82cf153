using MailKit;
using MailKit.Net.Imap;
using MailRecovery.Core.Alerts;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Sources;
using MailRecovery.Core.Status;
using MailRecovery.Tests.TestBed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace MailRecovery.Tests.Alerts;

/// <summary>Mail alerts through the bed's real Postfix (STARTTLS, as the probe connects) into a real mailbox, read back over IMAP.</summary>
[Collection(TestBedCollection.Name)]
public sealed class MailAlertTests(TestBedFixture bed) : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task One_mail_when_a_condition_starts_and_one_when_it_clears()
    {
        string admin = TestBedFixture.NewUser("alert");
        var failing = new StatusCondition("account-failing", DateTimeOffset.UtcNow.AddMinutes(-7), "account imap://copy@127.0.0.1:993 failing since ...: the password was refused", "imap://copy@127.0.0.1:993");
        var options = new AlertOptions
        {
            Mail = new MailAlertSettings(SmtpEndpoint.Parse($"smtp://127.0.0.1:{bed.SmtpPort}", insecure: false), SourceCredentials.None, "mailrecovery@example.test", [$"{admin}@example.test"]),
            Trust = bed.Trust,
        };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var run = new AlertRun(options, "/srv/archive", dir.Path, clock, NullLogger.Instance);

        Assert.Single((await run.EvaluateAsync([failing], CancellationToken.None)).Sent);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty((await run.EvaluateAsync([failing], CancellationToken.None)).Sent);
        await bed.WaitForMessagesAsync(admin, 1);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Single((await run.EvaluateAsync([], CancellationToken.None)).Sent);
        await bed.WaitForMessagesAsync(admin, 2);
        await Task.Delay(500);

        List<MimeMessage> mails = await ReadAllAsync(admin);
        Assert.Equal(2, mails.Count);
        MimeMessage started = mails.Single(m => m.Subject?.Contains("PROBLEM", StringComparison.Ordinal) == true);
        Assert.Equal($"[MailRecovery] PROBLEM: account-failing (imap://copy@127.0.0.1:993) on {System.Net.Dns.GetHostName()}", started.Subject);
        Assert.Equal("auto-generated", started.Headers["Auto-Submitted"]);
        Assert.Equal("started account-failing", started.Headers[MailNotifier.AlertHeader]);
        Assert.Contains("the password was refused", started.TextBody, StringComparison.Ordinal);
        Assert.Contains("fix: ", started.TextBody, StringComparison.Ordinal);
        MimeMessage cleared = mails.Single(m => m.Subject?.Contains("RESOLVED", StringComparison.Ordinal) == true);
        Assert.Equal("cleared account-failing", cleared.Headers[MailNotifier.AlertHeader]);
    }

    private async Task<List<MimeMessage>> ReadAllAsync(string user)
    {
        SourceEndpoint endpoint = bed.Imaps(user);
        using var client = new ImapClient { ServerCertificateValidationCallback = bed.Trust.Validate };
        await client.ConnectAsync(endpoint.Host, endpoint.Port, MailServiceConnector.ToSocketOptions(endpoint.Tls));
        await client.AuthenticateAsync(endpoint.User, bed.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var mails = new List<MimeMessage>();
        for (int i = 0; i < client.Inbox.Count; i++)
            mails.Add(await client.Inbox.GetMessageAsync(i));
        await client.DisconnectAsync(true);
        return mails;
    }
}
