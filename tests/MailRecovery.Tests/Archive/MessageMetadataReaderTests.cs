using System.Text;
using MailRecovery.Core.Archive;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Archive;

public sealed class MessageMetadataReaderTests
{
    private static readonly DateTimeOffset Fallback = new(2027, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_first_Received_header_is_the_newest_and_wins()
    {
        MessageMetadata md = await ReadAsync(
            "Received: from relay by mx; Thu, 26 Nov 2026 10:00:05 +0100\r\n" +
            "Received: from client by relay; Thu, 26 Nov 2026 08:59:00 +0000\r\n" +
            "Subject: hops\r\n\r\nbody\r\n");

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 9, 0, 5, TimeSpan.Zero), md.ReceivedAt);
        Assert.Equal(ReceivedTimeSource.ReceivedHeader, md.ReceivedSource);
    }

    [Fact]
    public async Task An_unparseable_newest_hop_falls_back_to_the_next_one()
    {
        MessageMetadata md = await ReadAsync(
            "Received: from relay by mx; yesterday at noon\r\n" +
            "Received: from broken by relay with no date at all\r\n" +
            "Received: from client by relay; Wed, 25 Nov 2026 23:30:00 -0500\r\n" +
            "Subject: hops\r\n\r\nbody\r\n");

        Assert.Equal(new DateTimeOffset(2026, 11, 26, 4, 30, 0, TimeSpan.Zero), md.ReceivedAt);
        Assert.Equal(ReceivedTimeSource.ReceivedHeader, md.ReceivedSource);
    }

    [Theory]
    [InlineData(ReceivedTimeSource.InternalDate)]
    [InlineData(ReceivedTimeSource.FetchTime)]
    public async Task Without_a_Received_header_the_fallback_time_and_source_are_used(ReceivedTimeSource source)
    {
        MessageMetadata md = await ReadAsync("From: a@example.org\r\nSubject: direct\r\n\r\nbody\r\n", source);

        Assert.Equal(Fallback, md.ReceivedAt);
        Assert.Equal(source, md.ReceivedSource);
    }

    [Theory]
    [InlineData("Message-ID: <abc.123@example.org>\r\n", "abc.123@example.org")]
    [InlineData("Message-ID: abc.123@example.org\r\n", "abc.123@example.org")]
    [InlineData("Message-Id:   <abc.123@example.org>  \r\n", "abc.123@example.org")]
    [InlineData("", null)]
    [InlineData("Message-ID:   \r\n", null)]
    public async Task The_Message_ID_is_read_without_angle_brackets(string header, string? expected)
    {
        MessageMetadata md = await ReadAsync(header + "Subject: x\r\n\r\nbody\r\n");

        Assert.Equal(expected, md.MessageId);
    }

    [Theory]
    [InlineData("Date: Wed, 25 Nov 2026 09:00:00 +0900\r\n", true)]
    [InlineData("Date: the day before yesterday\r\n", false)]
    [InlineData("", false)]
    public async Task A_bad_or_missing_Date_is_null(string header, bool parsed)
    {
        MessageMetadata md = await ReadAsync(header + "Subject: x\r\n\r\nbody\r\n");

        Assert.Equal(parsed ? new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero) : null, md.Date);
    }

    [Fact]
    public async Task An_RFC_2047_encoded_subject_is_decoded()
    {
        const string Subject = "お問い合わせの件について";
        string encoded = "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Subject)) + "?=";

        MessageMetadata md = await ReadAsync($"Subject: {encoded}\r\n\r\nbody\r\n");

        Assert.Equal(Subject, md.Subject);
    }

    [Fact]
    public async Task Recipients_combine_To_Cc_Delivered_To_and_X_Original_To_lower_case_and_distinct()
    {
        MessageMetadata md = await ReadAsync(
            "Delivered-To: Safety@Example.Test\r\n" +
            "X-Original-To: Support@Example.Test\r\n" +
            "From: \"Sender\" <Sender@Example.Org>\r\n" +
            "To: \"Support desk\" <SUPPORT@example.test>, alice@example.test\r\n" +
            "Cc: Bob <bob@example.test>, Alice@Example.Test\r\n" +
            "Subject: x\r\n\r\nbody\r\n");

        Assert.Equal("support@example.test, alice@example.test", md.To);
        Assert.Equal("bob@example.test, alice@example.test", md.Cc);
        Assert.Equal("safety@example.test", md.DeliveredTo);
        Assert.Equal("support@example.test", md.XOriginalTo);
        Assert.Equal("sender@example.org", md.From);
        Assert.Equal("support@example.test alice@example.test bob@example.test safety@example.test", md.Recipients);
    }

    [Fact]
    public async Task Without_any_recipient_header_recipients_are_empty()
    {
        MessageMetadata md = await ReadAsync("Subject: x\r\n\r\nbody\r\n");

        Assert.Equal(string.Empty, md.Recipients);
        Assert.Null(md.To);
    }

    [Theory]
    [InlineData("X-MailRecovery-Probe: 5f2c\r\n", true)]
    [InlineData("x-mailrecovery-probe: 5f2c\r\n", true)]
    [InlineData("X-Probe: 5f2c\r\n", false)]
    public async Task The_probe_header_marks_a_probe(string header, bool isProbe)
    {
        MessageMetadata md = await ReadAsync("Subject: x\r\n" + header + "\r\nbody\r\n");

        Assert.Equal(isProbe, md.IsProbe);
    }

    [Fact]
    public async Task A_test_message_reads_completely()
    {
        MessageMetadata md = await MessageMetadataReader.ReadAsync(
            new MemoryStream(TestMessages.Simple(3, "m3@example.org")), Fallback, ReceivedTimeSource.FetchTime, CancellationToken.None);

        Assert.Equal(
            new MessageMetadata("m3@example.org", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero), ReceivedTimeSource.ReceivedHeader,
                new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), "sender3@example.org", "support@example.test", null, null, null,
                "support@example.test", "test message 3", false),
            md);
    }

    public static TheoryData<string, byte[]> Garbage()
    {
        var random = new byte[64 * 1024];
        new Random(1234).NextBytes(random);
        var header = new byte[8 * 1024];
        Array.Fill(header, (byte)'A');
        return new TheoryData<string, byte[]>
        {
            { "random bytes", random },
            { "empty", [] },
            { "no header/body separator", Encoding.ASCII.GetBytes("From: a@example.org\r\nSubject: cut short\r\nTo: b@") },
            { "body only", Encoding.ASCII.GetBytes("just some text\r\nwithout any header\r\n") },
            { "NUL bytes", new byte[4096] },
            { "one endless header line", header },
            { "bare LF and CR", Encoding.ASCII.GetBytes("Subject: a\rFrom: \n\n\r\r\n:\r\n") },
            { "Latin-1 in headers", Encoding.Latin1.GetBytes("Subject: caf\u00e9 \u00ff\r\nTo: \u00e9@\u00e9\r\n\r\n") },
        };
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Garbage_never_throws_and_keeps_the_fallback_time(string what, byte[] bytes)
    {
        MessageMetadata md = await MessageMetadataReader.ReadAsync(new MemoryStream(bytes), Fallback, ReceivedTimeSource.FetchTime, CancellationToken.None);

        Assert.True(md.ReceivedSource == ReceivedTimeSource.FetchTime, what);
        Assert.Equal(Fallback, md.ReceivedAt);
        Assert.NotNull(md.Recipients);
    }

    [Fact]
    public async Task Japanese_legacy_charsets_in_encoded_words_are_decoded()
    {
        // ISO-2022-JP is still what many Japanese mailers send; Shift_JIS turns up too.
        MessageMetadata md = await ReadAsync("From: =?Shift_JIS?B?kL+LgY+R?= <billing@example.co.jp>\r\nSubject: =?ISO-2022-JP?B?GyRCJTUhPCVQITxEZDtfGyhC?=\r\n\r\nbody\r\n");

        Assert.Equal("サーバー停止", md.Subject);
        Assert.Equal("billing@example.co.jp", md.From);
    }

    [Fact]
    public void Messages_read_one_after_another_on_a_thread_share_nothing()
    {
        // The reader reuses one MimeKit parser per thread (issue 15): nothing of a message may show in the next one,
        // not even after a message whose header block ends the input half-way or a stream that fails.
        MessageMetadata first = Read("Message-ID: <one@example.org>\r\nTo: First <first@example.org>\r\nSubject: first\r\nX-MailRecovery-Probe: 1\r\n\r\nbody\r\n");
        MessageMetadata cut = Read("Subject: cut off in the middle of a fold\r\n  and");
        Assert.Throws<IOException>(() => MessageMetadataReader.Read(new FailingStream(), Fallback, ReceivedTimeSource.FetchTime));
        MessageMetadata bare = Read("\r\nno header at all\r\n");
        MessageMetadata second = Read("Cc: second@example.org\r\n\r\nbody\r\n");

        Assert.Equal(("one@example.org", "first", true), (first.MessageId, first.Subject, first.IsProbe));
        Assert.StartsWith("cut off in the middle of a fold", cut.Subject, StringComparison.Ordinal);
        Assert.Equal((null, null, null, false), (bare.MessageId, bare.Subject, bare.To, bare.IsProbe));
        Assert.Equal((null, null, null, "second@example.org", false), (second.MessageId, second.Subject, second.To, second.Cc, second.IsProbe));
        Assert.Equal("second@example.org", second.Recipients);
    }

    private static MessageMetadata Read(string message) =>
        MessageMetadataReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(message)), Fallback, ReceivedTimeSource.FetchTime);

    /// <summary>A stream whose first read fails, like a file on a failing disk.</summary>
    private sealed class FailingStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("read error");

        public override int Read(Span<byte> buffer) => throw new IOException("read error");
    }

    private static Task<MessageMetadata> ReadAsync(string message, ReceivedTimeSource fallbackSource = ReceivedTimeSource.FetchTime) =>
        MessageMetadataReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(message)), Fallback, fallbackSource, CancellationToken.None);
}
