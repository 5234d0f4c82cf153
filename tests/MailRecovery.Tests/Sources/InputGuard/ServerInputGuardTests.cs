using System.Text;
using MailRecovery.Core.Sources.InputGuard;

namespace MailRecovery.Tests.Sources.InputGuard;

/// <summary>The guard's counting, fed bytes as MailKit would show them (limit lowered to 1 KiB).</summary>
public sealed class ServerInputGuardTests
{
    private const int Limit = 1024;

    [Fact]
    public void A_line_past_the_limit_throws_even_when_it_comes_in_small_pieces()
    {
        var guard = Guard(ServerFraming.Pop3);
        for (int i = 0; i < Limit; i++)
            Feed(guard, "x");
        Assert.Throws<OverlongServerInputException>(() => Feed(guard, "x"));
    }

    [Fact]
    public void Many_short_lines_are_fine()
    {
        var guard = Guard(ServerFraming.Imap);
        for (int i = 0; i < 1000; i++)
            Feed(guard, "* 1 EXISTS\r\n");
    }

    [Fact]
    public void A_message_body_literal_is_not_counted_however_long_its_lines()
    {
        var guard = Guard(ServerFraming.Imap);
        string body = new('x', 10 * Limit);
        Feed(guard, $"* 1 FETCH (UID 7 BODY[]<0> {{{body.Length}}}\r\n{body} FLAGS (\\Seen))\r\n* 2 FETCH (BINARY[1.2] ~{{{body.Length}}}\r\n{body})\r\n");
    }

    [Fact]
    public void Header_literals_and_other_literals_count_toward_their_line()
    {
        Assert.Throws<OverlongServerInputException>(() => Feed(Guard(ServerFraming.Imap), $"* 1 FETCH (BODY[HEADER] {{{2 * Limit}}}\r\n"));
        Assert.Throws<OverlongServerInputException>(() => Feed(Guard(ServerFraming.Imap), $"* LIST () \"/\" {{{2 * Limit}}}\r\n"));
        Assert.Throws<OverlongServerInputException>(() => Feed(Guard(ServerFraming.Imap), "* LIST () \"/\" {99999999999999999999999}\r\n"));
        // A body item outside a FETCH response (here in a greeting) is no body literal.
        Assert.Throws<OverlongServerInputException>(() => Feed(Guard(ServerFraming.Imap), $"* OK BODY[] {{{2 * Limit}}}\r\n"));
    }

    [Fact]
    public void The_bytes_after_a_literal_are_counted_again()
    {
        var guard = Guard(ServerFraming.Imap);
        Feed(guard, "* 1 FETCH (BODY[] {5}\r\n12345");
        Assert.Throws<OverlongServerInputException>(() => Feed(guard, new string('x', Limit + 1)));
    }

    [Fact]
    public void An_SMTP_reply_is_counted_whole_across_its_continuation_lines()
    {
        var guard = Guard(ServerFraming.Smtp);
        Feed(guard, "220 hello\r\n");
        for (int i = 0; i < 100; i++)
            Feed(guard, "250 OK\r\n"); // final lines: each a reply of its own
        Assert.Throws<OverlongServerInputException>(() =>
        {
            for (int i = 0; i < Limit; i++)
                Feed(guard, "250-X\r\n");
        });
    }

    [Fact]
    public void A_new_connection_starts_afresh()
    {
        var guard = Guard(ServerFraming.Pop3);
        Feed(guard, new string('x', Limit));
        guard.LogConnect(new Uri("pop://127.0.0.1"));
        Feed(guard, new string('x', Limit));
    }

    private static ServerInputGuard Guard(ServerFraming framing)
    {
        var guard = new ServerInputGuard(framing, null, Limit);
        guard.LogConnect(new Uri("imap://127.0.0.1"));
        return guard;
    }

    private static void Feed(ServerInputGuard guard, string text)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(text);
        guard.LogServer(bytes, 0, bytes.Length);
    }
}
