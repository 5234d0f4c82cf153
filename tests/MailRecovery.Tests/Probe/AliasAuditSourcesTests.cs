using System.Text;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Probe.Audit;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Probe;

/// <summary>The file sources and the <c>--primary</c> grammar of <c>alias audit</c>, without servers.</summary>
public sealed class AliasAuditSourcesTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);
    private static readonly PrimarySourceOptions NoPassword = new(null, null, false);

    [Fact]
    public async Task Mbox_messages_are_listed_with_Received_time_else_the_From_line_date()
    {
        using var dir = new TempDirectory();
        string mbox = dir.Sub("helpdesk.mbox");
        byte[] withReceived = TestMessages.Simple(1, "one@example.org", received: "Thu, 26 Nov 2026 10:00:00 +0000");
        string noReceived = "From: x@example.org\r\nSubject: two\r\nMessage-ID: <two@example.org>\r\n\r\nFrom the body, escaped below.\r\n";
        var sb = new StringBuilder();
        sb.Append("From MAILER-DAEMON Thu Nov 26 09:00:00 2026\n").Append(Encoding.UTF8.GetString(withReceived)).Append('\n');
        sb.Append("From MAILER-DAEMON Thu Nov 26 12:30:00 2026\n").Append(noReceived.Replace("\r\nFrom the", "\r\n>From the", StringComparison.Ordinal)).Append('\n');
        sb.Append("From MAILER-DAEMON Wed Nov 25 12:30:00 2026\n").Append("Message-ID: <old@example.org>\r\nSubject: old\r\n\r\nold\r\n");
        await File.WriteAllTextAsync(mbox, sb.ToString());

        IPrimaryMailSource source = PrimarySourceFactory.Create($"mbox:{mbox}", NoPassword);
        IReadOnlyList<AuditMessage> listed = await source.ListAsync(Day, Day.AddDays(1), CancellationToken.None);

        Assert.Equal(2, listed.Count);
        Assert.Equal(("one@example.org", Day.AddHours(10)), (listed[0].MessageId, listed[0].ReceivedAt));
        Assert.Equal(("two@example.org", Day.AddHours(12.5), "two"), (listed[1].MessageId, listed[1].ReceivedAt, listed[1].Subject));
    }

    [Fact]
    public async Task An_eml_directory_is_read_recursively_and_other_files_are_ignored()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Sub("2026/11"));
        await File.WriteAllBytesAsync(dir.Sub("a.eml"), TestMessages.Simple(1, "a@example.org"));
        await File.WriteAllBytesAsync(dir.Sub("2026/11/b.EML"), TestMessages.Simple(2, "b@example.org"));
        await File.WriteAllBytesAsync(dir.Sub("notes.txt"), TestMessages.Simple(3, "c@example.org"));

        IReadOnlyList<AuditMessage> listed = await PrimarySourceFactory.Create($"eml:{dir.Path}", NoPassword).ListAsync(Day, Day.AddDays(1), CancellationToken.None);

        Assert.Equal(["a@example.org", "b@example.org"], listed.Select(m => m.MessageId!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_Maildir_file_without_Received_is_placed_by_its_mtime()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Sub("cur"));
        Directory.CreateDirectory(dir.Sub("new"));
        string file = dir.Sub("new/1764151200.M1P1.host");
        await File.WriteAllTextAsync(file, "Message-ID: <m@example.org>\r\nSubject: no received\r\n\r\nbody\r\n");
        File.SetLastWriteTimeUtc(file, Day.AddHours(7).UtcDateTime);

        AuditMessage m = Assert.Single(await PrimarySourceFactory.Create($"maildir:{dir.Path}", NoPassword).ListAsync(Day, Day.AddDays(1), CancellationToken.None));

        Assert.Equal(Day.AddHours(7), m.ReceivedAt);
    }

    [Theory]
    [InlineData("imaps://helpdesk@mail.example.com/INBOX", typeof(ImapPrimarySource))]
    [InlineData("pop3s://helpdesk@mail.example.com", typeof(Pop3PrimarySource))]
    public void Network_sources_use_the_fetch_URI_grammar(string uri, Type expected) =>
        Assert.IsType(expected, PrimarySourceFactory.Create(uri, NoPassword));

    [Theory]
    [InlineData("ftp://helpdesk@mail.example.com")]
    [InlineData("/var/mail/helpdesk")]
    [InlineData("maildir:/nonexistent/Maildir")]
    [InlineData("mbox:/nonexistent.mbox")]
    [InlineData("eml:")]
    [InlineData("imap://helpdesk@mail.example.com?tls=none")]
    public void Bad_primary_sources_are_usage_errors(string uri)
    {
        var e = Assert.Throws<MailRecoveryException>(() => PrimarySourceFactory.Create(uri, NoPassword));
        Assert.Equal(FailureKind.Usage, e.Kind);
    }
}
