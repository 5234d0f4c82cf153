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
}
