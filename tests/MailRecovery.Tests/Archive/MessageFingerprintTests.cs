using System.Text;
using MailRecovery.Core.Archive;

namespace MailRecovery.Tests.Archive;

public sealed class MessageFingerprintTests
{
    private const string Body = "From: a@example.org\r\nTo: support@example.test\r\nMessage-ID: <m1@example.org>\r\nSubject: hi\r\n\r\nbody\r\n";

    [Fact]
    public void Two_alias_copies_with_their_own_delivery_trace_are_the_same_message()
    {
        string helpdesk = "Return-Path: <a@example.org>\r\nDelivered-To: helpdesk@example.test\r\nReceived: from mail.example.test\r\n\tby vm with LMTP id X1\r\n\tfor <helpdesk@example.test>; Sun, 29 Nov 2026 06:32:01 +0000\r\nReceived: from client by relay; Sun, 29 Nov 2026 06:32:00 +0000\r\n" + Body;
        string copy = "Return-Path: <a@example.org>\r\nDelivered-To: safety@example.test\r\nReceived: from mail.example.test\r\n\tby vm with LMTP id Y2\r\n\tfor <safety@example.test>; Sun, 29 Nov 2026 06:32:01 +0000\r\nReceived: from client by relay; Sun, 29 Nov 2026 06:32:00 +0000\r\n" + Body;

        Assert.Equal(Of(helpdesk), Of(copy));
        Assert.Equal(Of(Body), Of(copy));
    }

    [Fact]
    public void Resent_fields_and_an_Exchange_stamp_on_top_do_not_change_it()
    {
        string resent = "Resent-Date: Mon, 30 Nov 2026 01:00:00 +0000\r\nResent-From: ops@example.test\r\nX-MS-Exchange-Organization-SCL: 1\r\nARC-Seal: i=1; a=rsa-sha256\r\n" + Body;
        Assert.Equal(Of(Body), Of(resent));
    }

    [Fact]
    public void Line_ends_and_a_missing_final_line_end_do_not_count()
    {
        Assert.Equal(Of(Body), Of(Body.Replace("\r\n", "\n", StringComparison.Ordinal)));
        Assert.Equal(Of(Body), Of(Body[..^2]));
    }

    [Fact]
    public void Messages_that_share_a_Message_ID_but_differ_below_the_trace_stay_two()
    {
        Assert.NotEqual(Of(Body), Of(Body.Replace("body", "other body", StringComparison.Ordinal)));
        Assert.NotEqual(Of(Body), Of(Body.Replace("Subject: hi", "Subject: hi!", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_trace_field_below_the_first_other_field_counts()
    {
        string moved = "From: a@example.org\r\nReceived: from x; Sun, 29 Nov 2026 06:32:00 +0000\r\n" + Body[(Body.IndexOf("\r\n", StringComparison.Ordinal) + 2)..];
        string other = "From: a@example.org\r\nReceived: from y; Sun, 29 Nov 2026 06:32:00 +0000\r\n" + Body[(Body.IndexOf("\r\n", StringComparison.Ordinal) + 2)..];
        Assert.NotEqual(Of(moved), Of(other));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n\r\nno headers at all\r\n")]
    [InlineData("From someone@example.org Sat Nov 28 10:00:00 2026\r\nSubject: x\r\n\r\nb")]
    [InlineData("just text, no colon, no newline")]
    [InlineData("Received: only trace and nothing else")]
    public void Odd_messages_get_a_fingerprint_that_split_reads_agree_on(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        string whole = Of(text);
        for (int split = 1; split < bytes.Length; split++)
        {
            using var f = new MessageFingerprint();
            f.Append(bytes.AsSpan(0, split));
            f.Append(bytes.AsSpan(split));
            Assert.Equal(whole, f.Finish());
        }
    }

    [Fact]
    public void Byte_by_byte_reads_agree_with_one_read()
    {
        string text = "Return-Path: <a@example.org>\r\nDelivered-To: x@example.test\r\n" + Body + "a bare CR\r here\r\n";
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        using var f = new MessageFingerprint();
        foreach (byte b in bytes)
            f.Append([b]);
        Assert.Equal(Of(text), f.Finish());
        Assert.NotEqual(Of(text), Of(text.Replace("\r here", " here", StringComparison.Ordinal)));
    }

    private static string Of(string text)
    {
        using var f = new MessageFingerprint();
        f.Append(Encoding.UTF8.GetBytes(text));
        return f.Finish();
    }
}
