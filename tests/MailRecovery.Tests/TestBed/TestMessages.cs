using System.Text;

namespace MailRecovery.Tests.TestBed;

/// <summary>Raw RFC 5322 messages with CRLF line ends, for byte-exact tests.</summary>
public static class TestMessages
{
    public static byte[] Simple(int n, string? messageId = null, string received = "Thu, 26 Nov 2026 10:00:00 +0000", string? extraHeaders = null, string? body = null)
    {
        var sb = new StringBuilder();
        sb.Append($"Return-Path: <sender{n}@example.org>\r\n");
        sb.Append($"Received: from client.example.org by mx.example.test with ESMTP id {n}; {received}\r\n");
        sb.Append($"From: Sender {n} <sender{n}@example.org>\r\n");
        sb.Append("To: support@example.test\r\n");
        sb.Append($"Subject: test message {n}\r\n");
        sb.Append("Date: Wed, 25 Nov 2026 09:00:00 +0900\r\n");
        if (messageId is not null)
            sb.Append($"Message-ID: <{messageId}>\r\n");
        if (extraHeaders is not null)
            sb.Append(extraHeaders);
        sb.Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
        sb.Append(body ?? $"Body of message {n}.\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>A message of about <paramref name="size"/> bytes of base64-looking lines.</summary>
    public static byte[] Large(int size, string messageId)
    {
        var sb = new StringBuilder(size + 1024);
        sb.Append($"Message-ID: <{messageId}>\r\nFrom: big@example.org\r\nTo: support@example.test\r\nSubject: large\r\n");
        sb.Append("Received: from a by b; Thu, 26 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        var random = new Random(42);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var line = new char[76];
        while (sb.Length < size)
        {
            for (int i = 0; i < line.Length; i++)
                line[i] = alphabet[random.Next(64)];
            sb.Append(line).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
