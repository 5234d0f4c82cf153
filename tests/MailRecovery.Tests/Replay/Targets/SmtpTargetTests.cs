using System.Text;
using MailKit;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;
using static MailRecovery.Tests.Replay.Targets.DeliveredMail;

namespace MailRecovery.Tests.Replay.Targets;

/// <summary>The SMTP target against the bed's Postfix, which hands @example.test mail to Dovecot over LMTP.</summary>
[Collection(TestBedCollection.Name)]
public sealed class SmtpTargetTests
{
    private readonly TestBedFixture bed;

    public SmtpTargetTests(TestBedFixture bed) => this.bed = bed;

    [Fact]
    public async Task Delivers_the_archived_bytes_through_Postfix_over_one_STARTTLS_connection()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("smtp");
        byte[] first = TestMessages.Simple(1, $"{user}.1@example.org");
        byte[] second = TestMessages.Simple(2, $"{user}.2@example.org");
        using var log = new MemoryStream();
        await using (SmtpTarget target = Target([$"{user}@example.test"], logger: new ProtocolLogger(log, leaveOpen: true)))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, first), CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, second), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        List<byte[]> delivered = await FetchAsync(bed, user, 2);
        Assert.Equal(2, delivered.Count);
        byte[] gotFirst = Assert.Single(delivered, d => d.AsSpan().EndsWith(AsRelayed(first)));
        Assert.Single(delivered, d => d.AsSpan().EndsWith(AsRelayed(second)));
        Assert.DoesNotContain("Resent-", Prepended(AsRelayed(first), gotFirst), StringComparison.OrdinalIgnoreCase);

        // The new Return-Path, written by Dovecot from the envelope, is the archived one: the sender is kept.
        Assert.StartsWith("Return-Path: <sender1@example.org>\r\n", Prepended(AsRelayed(first), gotFirst), StringComparison.Ordinal);

        string conversation = Encoding.UTF8.GetString(log.ToArray());
        Assert.Contains("STARTTLS", conversation, StringComparison.Ordinal);
        Assert.Single(conversation.Split('\n'), l => l.StartsWith("Connected to", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Eight_bit_UTF8_content_arrives_intact_whether_declared_or_not()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("smtp8");

        // MailKit's own Prepare would add "Content-Transfer-Encoding: 8bit" to the undeclared one: it must not.
        byte[] declared = Utf8Message($"{user}.d@example.org", "joran@example.org", "Content-Transfer-Encoding: 8bit\r\n");
        byte[] undeclared = Utf8Message($"{user}.u@example.org", "joran@example.org", string.Empty);
        using var log = new MemoryStream();
        await using (SmtpTarget target = Target([$"{user}@example.test"], logger: new ProtocolLogger(log, leaveOpen: true)))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, declared), CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, undeclared), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        List<byte[]> delivered = await FetchAsync(bed, user, 2);
        Assert.Single(delivered, d => d.AsSpan().EndsWith(AsRelayed(declared)));
        Assert.Single(delivered, d => d.AsSpan().EndsWith(AsRelayed(undeclared)));
    }

    [Fact]
    public async Task A_UTF8_envelope_sender_is_sent_with_SMTPUTF8()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("smtpu");
        byte[] message = Utf8Message($"{user}@example.org", "jöran@example.org", "Content-Transfer-Encoding: 8bit\r\n");
        using var log = new MemoryStream();
        await using (SmtpTarget target = Target([$"{user}@example.test"], logger: new ProtocolLogger(log, leaveOpen: true)))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, message), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        // Postfix took it with SMTPUTF8 (RFC 6531). It cannot reach the mailbox on this bed: Dovecot 2.3's LMTP
        // does not offer SMTPUTF8, so Postfix bounces it at the last hop (LmtpTargetTests shows that refusal).
        string conversation = Encoding.UTF8.GetString(log.ToArray());
        Assert.Contains("MAIL FROM:<jöran@example.org> SMTPUTF8", conversation, StringComparison.Ordinal);
        Assert.Contains("BODY=8BITMIME", conversation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_recipient_fails_with_the_reply_and_nobody_gets_the_message()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("smtpr");
        await using SmtpTarget target = Target([$"{user}@example.test", "refused@example.test"]);
        await target.OpenAsync(CancellationToken.None);

        var e = await Assert.ThrowsAsync<DeliveryException>(async () =>
            await target.DeliverAsync(await ItemAsync(dir, TestMessages.Simple(1, $"{user}@example.org")), CancellationToken.None));

        Assert.Equal(DeliveryOutcome.Failed, e.Outcome);
        Assert.Contains("550", e.Message, StringComparison.Ordinal);
        Assert.Contains("refused@example.test", e.Message, StringComparison.Ordinal);
        await Task.Delay(1000);
        Assert.Equal(0, bed.CountMessages(user));
    }

    [Fact]
    public async Task A_relay_denied_recipient_fails_with_554_and_the_connection_serves_the_next_message()
    {
        using var dir = new TempDirectory();
        await using SmtpTarget target = Target(["x@elsewhere.test"]);
        await target.OpenAsync(CancellationToken.None);

        for (int i = 0; i < 2; i++)
        {
            var e = await Assert.ThrowsAsync<DeliveryException>(async () =>
                await target.DeliverAsync(await ItemAsync(dir, TestMessages.Simple(i)), CancellationToken.None));
            Assert.Equal(DeliveryOutcome.Failed, e.Outcome);
            Assert.Contains("554", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Without_Return_Path_the_sender_is_mail_from_and_without_that_it_is_a_usage_error()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("smtpm");
        byte[] message = WithoutReturnPath(TestMessages.Simple(1, $"{user}@example.org"));
        ReplayItem item = await ItemAsync(dir, message);

        await using (SmtpTarget target = Target([$"{user}@example.test"]))
        {
            await target.OpenAsync(CancellationToken.None);
            var e = await Assert.ThrowsAsync<MailRecoveryException>(() => target.DeliverAsync(item, CancellationToken.None));
            Assert.Equal(FailureKind.Usage, e.Kind);
            Assert.Contains("--mail-from", e.UserText, StringComparison.Ordinal);
        }

        await using (SmtpTarget target = Target([$"{user}@example.test"], mailFrom: "replay@example.org"))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(item, CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        byte[] delivered = Assert.Single(await FetchAsync(bed, user, 1));
        AssertDeliveredUnchanged(message, delivered);
        Assert.StartsWith("Return-Path: <replay@example.org>", Prepended(message, delivered), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bounce_keeps_its_null_sender()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("smtpn");
        byte[] message = Encoding.UTF8.GetBytes("Return-Path: <>\r\n" + Encoding.UTF8.GetString(WithoutReturnPath(TestMessages.Simple(1, $"{user}@example.org"))));
        await using (SmtpTarget target = Target([$"{user}@example.test"], mailFrom: "ignored@example.org"))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, message), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        byte[] delivered = Assert.Single(await FetchAsync(bed, user, 1));
        AssertDeliveredUnchanged(AsRelayed(message), delivered);
        Assert.StartsWith("Return-Path: <>\r\n", Prepended(AsRelayed(message), delivered), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lines_that_start_with_a_dot_arrive_intact()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("smtpd");
        byte[] message = TestMessages.Simple(1, $"{user}@example.org", body: "before\r\n.\r\n..x\r\n.hidden\r\n.\r\nafter\r\n");
        await using (SmtpTarget target = Target([$"{user}@example.test"]))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, message), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        AssertDeliveredUnchanged(AsRelayed(message), Assert.Single(await FetchAsync(bed, user, 1)));
    }

    [Fact]
    public async Task Resent_headers_go_on_top_only_when_asked_for()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("smtpx");
        byte[] message = TestMessages.Simple(1, $"{user}@example.org");
        await using (SmtpTarget target = Target([$"{user}@example.test"], mailFrom: "replay@example.org", resent: true))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, message), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        byte[] delivered = Assert.Single(await FetchAsync(bed, user, 1));
        AssertDeliveredUnchanged(AsRelayed(message), delivered);
        string top = Prepended(AsRelayed(message), delivered);
        Assert.Contains("\r\nResent-Date: ", top, StringComparison.Ordinal);
        Assert.Contains("\r\nResent-From: replay@example.org\r\n", top, StringComparison.Ordinal);
        Assert.Contains($"\r\nResent-To: {user}@example.test\r\n", top, StringComparison.Ordinal);
        Assert.Matches(@"(?i)\r\nResent-Message-ID: <[^>]+@example\.org>\r\n$", top);

        // The envelope sender is still the archived Return-Path: bounces go where the original's went.
        Assert.StartsWith("Return-Path: <sender1@example.org>", top, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconnects_by_itself_when_the_connection_is_gone_before_the_next_message()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("smtpc");
        byte[] first = TestMessages.Simple(1, $"{user}.1@example.org");
        byte[] second = TestMessages.Simple(2, $"{user}.2@example.org");
        await using (SmtpTarget target = Target([$"{user}@example.test"]))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, first), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None); // QUIT: the connection is closed
            await target.DeliverAsync(await ItemAsync(dir, second), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        List<byte[]> delivered = await FetchAsync(bed, user, 2);
        Assert.Single(delivered, d => d.AsSpan().EndsWith(AsRelayed(second)));
    }

    [Fact]
    public async Task Check_answers_absent_unless_a_delivery_was_cut_off_and_the_key_names_the_recipients()
    {
        using var dir = new TempDirectory();
        await using SmtpTarget target = Target(["B@example.test", "<a@example.test>"]);
        ReplayItem item = await ItemAsync(dir, TestMessages.Simple(1));

        Assert.Equal(Presence.Absent, await target.CheckAsync(item, null, CancellationToken.None));
        Assert.Equal(Presence.Unknown, await target.CheckAsync(item, string.Empty, CancellationToken.None));
        Assert.Equal($"smtp://127.0.0.1:{bed.SmtpPort} rcpt=a@example.test,b@example.test", target.JournalKey);
        await using SmtpTarget other = Target(["a@example.test"]);
        Assert.NotEqual(target.JournalKey, other.JournalKey);
    }

    [Theory]
    [InlineData("smtp://127.0.0.1:25", new string[0])]
    [InlineData("smtp://user:secret@127.0.0.1", new[] { "a@example.test" })]
    [InlineData("smtp://127.0.0.1/path", new[] { "a@example.test" })]
    [InlineData("smtp://127.0.0.1", new[] { "two words@example.test" })]
    public void Bad_targets_are_usage_errors(string uri, string[] rcpts)
    {
        var e = Assert.Throws<MailRecoveryException>(() =>
            new SmtpTarget(uri, rcpts, null, false, SourceCredentials.None, CertificateTrust.System, false, TimeProvider.System));
        Assert.Equal(FailureKind.Usage, e.Kind);
    }

    [Fact]
    public async Task A_password_is_never_sent_when_the_server_offers_no_STARTTLS()
    {
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake ESMTP");
            await s.ExpectAsync("EHLO", "250-fake\n250 AUTH PLAIN LOGIN");
            await s.DrainAsync();
        });
        await using var target = new SmtpTarget($"smtp://user@127.0.0.1:{server.Port}", ["a@example.test"], null, false,
            bed.Credentials, CertificateTrust.System, insecure: false, TimeProvider.System);

        var e = await Assert.ThrowsAsync<MailRecoveryException>(() => target.OpenAsync(CancellationToken.None));

        Assert.Contains("STARTTLS", e.Message, StringComparison.Ordinal);
        Assert.Contains("--insecure", e.UserText, StringComparison.Ordinal);
        await server.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(server.Received, l => l.StartsWith("AUTH", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_connection_lost_after_the_data_is_uncertain()
    {
        using var dir = new TempDirectory();
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake ESMTP");
            await s.ExpectAsync("EHLO", "250 fake");
            await s.ExpectAsync("MAIL FROM:<sender1@example.org>", "250 ok");
            await s.ExpectAsync("RCPT TO:<a@example.test>", "250 ok");
            await s.ExpectAsync("DATA", "354 go ahead");
            await s.ReadDataAsync();
            s.HangUp();
        });
        await using var target = new SmtpTarget($"smtp://127.0.0.1:{server.Port}", ["a@example.test"], null, false,
            SourceCredentials.None, CertificateTrust.System, insecure: false, TimeProvider.System);
        await target.OpenAsync(CancellationToken.None);

        var e = await Assert.ThrowsAsync<DeliveryException>(async () =>
            await target.DeliverAsync(await ItemAsync(dir, TestMessages.Simple(1)), CancellationToken.None));

        Assert.Equal(DeliveryOutcome.Uncertain, e.Outcome);
    }

    [Fact]
    public async Task Eight_bit_content_is_refused_rather_than_re_encoded_for_a_server_without_8BITMIME()
    {
        using var dir = new TempDirectory();
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake ESMTP");
            await s.ExpectAsync("EHLO", "250 fake");
            await s.DrainAsync();
        });
        await using var target = new SmtpTarget($"smtp://127.0.0.1:{server.Port}", ["a@example.test"], null, false,
            SourceCredentials.None, CertificateTrust.System, insecure: false, TimeProvider.System);
        await target.OpenAsync(CancellationToken.None);

        var e = await Assert.ThrowsAsync<DeliveryException>(async () =>
            await target.DeliverAsync(await ItemAsync(dir, Utf8Message("x@example.org", "a@example.org", string.Empty)), CancellationToken.None));

        Assert.Equal(DeliveryOutcome.Failed, e.Outcome);
        Assert.Contains("8BITMIME", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Received, l => l.StartsWith("MAIL", StringComparison.OrdinalIgnoreCase));
    }

    private SmtpTarget Target(string[] rcpts, string? mailFrom = null, bool resent = false, IProtocolLogger? logger = null) =>
        new($"smtp://127.0.0.1:{bed.SmtpPort}", rcpts, mailFrom, resent, SourceCredentials.None, bed.Trust, insecure: false, TimeProvider.System, logger);

    /// <summary>A message with raw UTF-8 in a header field and in the body (RFC 6532), CRLF line ends.</summary>
    internal static byte[] Utf8Message(string messageId, string returnPath, string extraHeaders) => Encoding.UTF8.GetBytes(
        $"Return-Path: <{returnPath}>\r\n" +
        "From: Jöran Åström <joran@example.org>\r\n" +
        "To: support@example.test\r\n" +
        "Subject: Grüße aus Köln\r\n" +
        "Date: Wed, 25 Nov 2026 09:00:00 +0900\r\n" +
        $"Message-ID: <{messageId}>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        extraHeaders +
        "\r\n" +
        "Körper mit Umlauten: äöü ß, und 日本語.\r\n");

    /// <summary>
    /// The archived bytes as Postfix passes them on: it drops a Return-Path field from mail it receives
    /// (message_drop_headers, as RFC 5321 §4.4 lets the final delivery do), and Dovecot then writes a new one
    /// from the envelope sender, which the replay took from that same field.
    /// </summary>
    private static byte[] AsRelayed(byte[] message) => WithoutReturnPath(message);

    internal static byte[] WithoutReturnPath(byte[] message)
    {
        string text = Encoding.UTF8.GetString(message);
        return Encoding.UTF8.GetBytes(text[(text.IndexOf("\r\n", StringComparison.Ordinal) + 2)..]);
    }
}
