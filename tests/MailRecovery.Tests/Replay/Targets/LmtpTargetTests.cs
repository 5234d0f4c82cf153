using MailRecovery.Core.Errors;
using MailRecovery.Core.Replay;
using MailRecovery.Core.Replay.Targets;
using MailRecovery.Tests.TestBed;
using static MailRecovery.Tests.Replay.Targets.DeliveredMail;

namespace MailRecovery.Tests.Replay.Targets;

/// <summary>The LMTP target against the bed's Dovecot (TCP and unix socket), and a scripted server for partial outcomes.</summary>
[Collection(TestBedCollection.Name)]
public sealed class LmtpTargetTests
{
    private readonly TestBedFixture bed;

    public LmtpTargetTests(TestBedFixture bed) => this.bed = bed;

    private string Socket => Path.Combine(bed.Dir, "run", "lmtp");

    [Fact]
    public async Task Delivers_the_archived_bytes_over_TCP_several_messages_on_one_connection()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("lmtp");
        byte[] first = TestMessages.Simple(1, $"{user}.1@example.org");
        byte[] second = TestMessages.Simple(2, $"{user}.2@example.org");
        await using (var target = new LmtpTarget($"lmtp://127.0.0.1:{bed.LmtpPort}", [$"{user}@example.test"], null, false, TimeProvider.System))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, first), CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, second), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        List<byte[]> delivered = await FetchAsync(bed, user, 2);
        byte[] gotFirst = Assert.Single(delivered, d => d.AsSpan().EndsWith(first));
        Assert.Single(delivered, d => d.AsSpan().EndsWith(second));
        Assert.DoesNotContain("Resent-", Prepended(first, gotFirst), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("lmtp:")]
    [InlineData("lmtp://")]
    public async Task Delivers_over_the_unix_socket(string scheme)
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("lmtps");
        byte[] message = TestMessages.Simple(1, $"{user}@example.org");
        await using (var target = new LmtpTarget(scheme + Socket, [$"{user}@example.test"], null, false, TimeProvider.System))
        {
            Assert.Equal($"lmtp:{Socket} rcpt={user}@example.test", target.JournalKey);
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, message), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        AssertDeliveredUnchanged(message, Assert.Single(await FetchAsync(bed, user, 1)));
    }

    [Fact]
    public async Task Eight_bit_UTF8_content_arrives_intact()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("lmtp8");
        byte[] message = SmtpTargetTests.Utf8Message($"{user}@example.org", "joran@example.org", string.Empty);
        await using (var target = new LmtpTarget($"lmtp:{Socket}", [$"{user}@example.test"], null, false, TimeProvider.System))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, message), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        AssertDeliveredUnchanged(message, Assert.Single(await FetchAsync(bed, user, 1)));
    }

    [Fact]
    public async Task A_UTF8_envelope_sender_is_refused_before_sending_because_Dovecot_offers_no_SMTPUTF8()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("lmtpu");
        await using var target = new LmtpTarget($"lmtp:{Socket}", [$"{user}@example.test"], null, false, TimeProvider.System);
        await target.OpenAsync(CancellationToken.None);

        var e = await Assert.ThrowsAsync<DeliveryException>(async () => await target.DeliverAsync(
            await ItemAsync(dir, SmtpTargetTests.Utf8Message($"{user}@example.org", "jöran@example.org", string.Empty)), CancellationToken.None));

        Assert.Equal(DeliveryOutcome.Failed, e.Outcome);
        Assert.Contains("SMTPUTF8", e.Message, StringComparison.Ordinal);
        Assert.Contains("jöran@example.org", e.Message, StringComparison.Ordinal);

        // The connection is still good for the next message.
        byte[] plain = TestMessages.Simple(1, $"{user}@example.org");
        await target.DeliverAsync(await ItemAsync(dir, plain), CancellationToken.None);
        AssertDeliveredUnchanged(plain, Assert.Single(await FetchAsync(bed, user, 1)));
    }

    [Fact]
    public async Task Lines_that_start_with_a_dot_arrive_intact()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("lmtpd");
        byte[] message = TestMessages.Simple(1, $"{user}@example.org", body: "before\r\n.\r\n..x\r\n.hidden\r\n.\r\nafter\r\n");
        await using (var target = new LmtpTarget($"lmtp://127.0.0.1:{bed.LmtpPort}", [$"{user}@example.test"], null, false, TimeProvider.System))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, message), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        AssertDeliveredUnchanged(message, Assert.Single(await FetchAsync(bed, user, 1)));
    }

    [Fact]
    public async Task Without_Return_Path_the_sender_is_mail_from_and_without_that_it_is_a_usage_error()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("lmtpm");
        byte[] message = SmtpTargetTests.WithoutReturnPath(TestMessages.Simple(1, $"{user}@example.org"));
        ReplayItem item = await ItemAsync(dir, message);

        await using (var target = new LmtpTarget($"lmtp:{Socket}", [$"{user}@example.test"], null, false, TimeProvider.System))
        {
            await target.OpenAsync(CancellationToken.None);
            var e = await Assert.ThrowsAsync<MailRecoveryException>(() => target.DeliverAsync(item, CancellationToken.None));
            Assert.Equal(FailureKind.Usage, e.Kind);
            Assert.Contains("--mail-from", e.UserText, StringComparison.Ordinal);
        }

        await using (var target = new LmtpTarget($"lmtp:{Socket}", [$"{user}@example.test"], "<replay@example.org>", false, TimeProvider.System))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(item, CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        byte[] delivered = Assert.Single(await FetchAsync(bed, user, 1));
        AssertDeliveredUnchanged(message, delivered);
        Assert.StartsWith("Return-Path: <replay@example.org>\r\n", Prepended(message, delivered), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resent_headers_go_on_top_only_when_asked_for()
    {
        using var dir = new TempDirectory();
        string user = TestBedFixture.NewUser("lmtpx");
        byte[] message = TestMessages.Simple(1, $"{user}@example.org");
        await using (var target = new LmtpTarget($"lmtp:{Socket}", [$"{user}@example.test"], null, true, TimeProvider.System))
        {
            await target.OpenAsync(CancellationToken.None);
            await target.DeliverAsync(await ItemAsync(dir, message), CancellationToken.None);
            await target.CompleteAsync(CancellationToken.None);
        }

        byte[] delivered = Assert.Single(await FetchAsync(bed, user, 1));
        AssertDeliveredUnchanged(message, delivered);
        string top = Prepended(message, delivered);
        Assert.Contains("\r\nResent-Date: ", top, StringComparison.Ordinal);
        Assert.Contains("\r\nResent-From: sender1@example.org\r\n", top, StringComparison.Ordinal); // no --mail-from: the envelope sender
        Assert.Contains($"\r\nResent-To: {user}@example.test\r\n", top, StringComparison.Ordinal);
        Assert.Matches(@"(?i)\r\nResent-Message-ID: <[^>]+@example\.org>\r\n$", top);
    }

    [Fact]
    public async Task A_partial_delivery_is_uncertain_naming_who_got_it_so_the_next_run_does_not_resend_it()
    {
        using var dir = new TempDirectory();
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake");
            await s.ExpectAsync("LHLO", "250-fake\n250 8BITMIME");
            await s.ExpectAsync("MAIL", "250 ok");
            await s.ExpectAsync("RCPT", "250 ok");
            await s.ExpectAsync("RCPT", "250 ok");
            await s.ExpectAsync("DATA", "354 go ahead");
            await s.ReadDataAsync();
            await s.SendAsync("250 2.0.0 saved");
            await s.SendAsync("552 5.2.2 mailbox full");
            await s.DrainAsync();
        });
        await using var target = new LmtpTarget($"lmtp://127.0.0.1:{server.Port}", ["a@example.test", "b@example.test"], null, false, TimeProvider.System);
        await target.OpenAsync(CancellationToken.None);

        var e = await Assert.ThrowsAsync<DeliveryException>(async () => await target.DeliverAsync(await ItemAsync(dir, TestMessages.Simple(1)), CancellationToken.None));

        Assert.Equal(DeliveryOutcome.Uncertain, e.Outcome);
        Assert.Contains("delivered to a@example.test", e.Message, StringComparison.Ordinal);
        Assert.Contains("b@example.test: 552 5.2.2 mailbox full", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("452 4.2.2 over quota", "452 4.2.2 over quota", DeliveryOutcome.TryLater)]
    [InlineData("452 4.2.2 over quota", "550 5.1.1 no such user", DeliveryOutcome.Failed)]
    public async Task Refusals_after_the_data_are_try_later_only_when_all_are_4xx(string first, string second, DeliveryOutcome outcome)
    {
        using var dir = new TempDirectory();
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake");
            await s.ExpectAsync("LHLO", "250-fake\n250 8BITMIME");
            await s.ExpectAsync("MAIL", "250 ok");
            await s.ExpectAsync("RCPT", "250 ok");
            await s.ExpectAsync("RCPT", "250 ok");
            await s.ExpectAsync("DATA", "354 go ahead");
            await s.ReadDataAsync();
            await s.SendAsync(first);
            await s.SendAsync(second);
            await s.DrainAsync();
        });
        await using var target = new LmtpTarget($"lmtp://127.0.0.1:{server.Port}", ["a@example.test", "b@example.test"], null, false, TimeProvider.System);
        await target.OpenAsync(CancellationToken.None);

        var e = await Assert.ThrowsAsync<DeliveryException>(async () => await target.DeliverAsync(await ItemAsync(dir, TestMessages.Simple(1)), CancellationToken.None));

        Assert.Equal(outcome, e.Outcome);
        Assert.Contains(second[..3], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recipient_refused_at_RCPT_stops_the_message_for_everyone()
    {
        using var dir = new TempDirectory();
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake");
            await s.ExpectAsync("LHLO", "250-fake\n250 8BITMIME");
            await s.ExpectAsync("MAIL", "250 ok");
            await s.ExpectAsync("RCPT", "250 ok");
            await s.ExpectAsync("RCPT", "550 5.1.1 <b@example.test> unknown");
            await s.DrainAsync();
        });
        await using var target = new LmtpTarget($"lmtp://127.0.0.1:{server.Port}", ["a@example.test", "b@example.test"], null, false, TimeProvider.System);
        await target.OpenAsync(CancellationToken.None);

        var e = await Assert.ThrowsAsync<DeliveryException>(async () => await target.DeliverAsync(await ItemAsync(dir, TestMessages.Simple(1)), CancellationToken.None));
        await target.DisposeAsync();
        await server.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(DeliveryOutcome.Failed, e.Outcome);
        Assert.Contains("550", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("DATA", server.Received);
    }

    [Fact]
    public async Task A_connection_lost_after_the_end_of_the_data_is_uncertain()
    {
        using var dir = new TempDirectory();
        await using var server = ScriptedMailServer.Start(async s =>
        {
            await s.SendAsync("220 fake");
            await s.ExpectAsync("LHLO", "250-fake\n250 8BITMIME");
            await s.ExpectAsync("MAIL", "250 ok");
            await s.ExpectAsync("RCPT", "250 ok");
            await s.ExpectAsync("DATA", "354 go ahead");
            await s.ReadDataAsync();
            s.HangUp();
        });
        await using var target = new LmtpTarget($"lmtp://127.0.0.1:{server.Port}", ["a@example.test"], null, false, TimeProvider.System);
        await target.OpenAsync(CancellationToken.None);

        var e = await Assert.ThrowsAsync<DeliveryException>(async () => await target.DeliverAsync(await ItemAsync(dir, TestMessages.Simple(1)), CancellationToken.None));

        Assert.Equal(DeliveryOutcome.Uncertain, e.Outcome);
        Assert.Contains("a@example.test", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lmtp://127.0.0.1")]
    [InlineData("lmtp:")]
    [InlineData("lmtps://127.0.0.1:24")]
    [InlineData("lmtp://user@127.0.0.1:24")]
    public void Bad_targets_are_usage_errors(string uri)
    {
        var e = Assert.Throws<MailRecoveryException>(() => new LmtpTarget(uri, ["a@example.test"], null, false, TimeProvider.System));
        Assert.Equal(FailureKind.Usage, e.Kind);
    }
}
