using System.Text;
using MailKit;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using static MailRecovery.Tests.Replay.Targets.DeliveredMail;

namespace MailRecovery.Tests.Protocols;

/// <summary>SMTP's <c>?tls=</c> values against the bed's Postfix, which offers STARTTLS.</summary>
[Collection(TestBedCollection.Name)]
public sealed class SmtpTlsParameterBedTests
{
    private readonly TestBedFixture bed;

    public SmtpTlsParameterBedTests(TestBedFixture bed) => this.bed = bed;

    [Theory]
    [InlineData("starttls", true)]
    [InlineData("none", false)]
    public async Task Delivers_with_or_without_STARTTLS_as_the_URI_asks(string tls, bool startTls)
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("smtptls");
        using var log = new MemoryStream();
        await using (var target = new SmtpTarget($"smtp://127.0.0.1:{bed.SmtpPort}?tls={tls}", [$"{user}@example.test"], null, false,
            SourceCredentials.None, bed.Trust, insecure: false, TimeProvider.System, new ProtocolLogger(log, leaveOpen: true)))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, TestMessages.Simple(1, $"{user}@example.org")), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        Assert.Single(await FetchAsync(bed, user, 1));
        string[] sent = Encoding.UTF8.GetString(log.ToArray()).Split('\n');
        Assert.Equal(startTls, sent.Any(l => l.StartsWith("C: STARTTLS", StringComparison.Ordinal)));
    }
}
