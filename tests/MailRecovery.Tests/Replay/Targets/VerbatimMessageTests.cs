using System.Text;
using MailRecovery.Core.Replay.Targets;
using MimeKit;

namespace MailRecovery.Tests.Replay.Targets;

/// <summary>What MailKit's writers get from a verbatim message: the bytes, nothing added, nothing dropped.</summary>
public sealed class VerbatimMessageTests
{
    public static TheoryData<string> Messages() =>
    [
        "",
        "no header section at all\r\n",
        "From sender@example.org Mon Nov 16 10:00:00 2026\r\nSubject: x\r\n\r\nbody",
        "Subject: bare\nline ends\n\nbody\rwith a bare CR\n",
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task Written_as_IMAP_does_it_the_message_is_its_bytes(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        using var source = new MemoryStream(bytes);
        using MimeMessage message = VerbatimMessage.Create(source, crlf: false);
        FormatOptions format = VerbatimMessage.Format();
        format.NewLineFormat = NewLineFormat.Dos; // as MailKit's ImapLiteral and SmtpClient set it
        format.EnsureNewLine = true;

        using var measured = new MimeKit.IO.MeasuringStream();
        message.WriteTo(format, measured);
        using var written = new MemoryStream();
        await message.WriteToAsync(format, written);

        Assert.Equal(bytes, written.ToArray());
        Assert.Equal(bytes.Length, measured.Length);
    }

    [Fact]
    public async Task Written_as_SMTP_does_it_only_bare_LF_becomes_CRLF_after_the_prefix()
    {
        using var source = new MemoryStream("Subject: a\n\nb\rc\n"u8.ToArray());
        using MimeMessage message = VerbatimMessage.Create(source, crlf: true, "Resent-From: x\n"u8.ToArray());
        using var written = new MemoryStream();
        await message.WriteToAsync(VerbatimMessage.Format(), written);

        Assert.Equal("Resent-From: x\r\nSubject: a\r\n\r\nb\rc\r\n", Encoding.UTF8.GetString(written.ToArray()));
    }

    /// <summary>
    /// A replay writes thousands of messages: the copy buffer is pooled, and with CRLF conversion (SMTP) the filter's
    /// buffer, twice a copy chunk, stays a small object. A new 64 KiB buffer per message (and a 128 KiB large object
    /// per SMTP message) grew a 10,000-message replay's memory to over 100 MB.
    /// </summary>
    [Theory]
    [InlineData(false, 16 * 1024)]
    [InlineData(true, 85_000)]
    public void Writing_a_message_allocates_no_copy_buffer_of_its_own(bool crlf, long most)
    {
        byte[] bytes = Encoding.ASCII.GetBytes("Subject: big\n\n" + string.Concat(Enumerable.Repeat("a line of the body\n", 20_000)));
        var written = new MemoryStream(bytes.Length * 2);
        FormatOptions format = VerbatimMessage.Format();
        using var source = new MemoryStream(bytes);
        using MimeMessage message = VerbatimMessage.Create(source, crlf);
        message.WriteTo(format, written); // the first write rents the pooled buffer

        written.Position = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        message.WriteTo(format, written);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < most, $"writing one message allocated {allocated} bytes");
    }
}
