using System.Text;
using MailRecovery.Core.Sources.Pop3Wire;

namespace MailRecovery.Tests.Sources.Pop3Wire;

/// <summary>The byte-stuffing of RFC 1939 §3 undone, fed in every possible split, with every output size.</summary>
public sealed class Pop3DotDecoderTests
{
    public static TheoryData<string, string> Responses => new()
    {
        { "Subject: a\r\n\r\nbody\r\n.\r\n", "Subject: a\r\n\r\nbody\r\n" },
        { "..x\r\n.\r\n", ".x\r\n" },
        { "a\r\n...\r\n..\r\n.\r\n", "a\r\n..\r\n.\r\n" },
        { ".x\r\n.\r\n", "x\r\n" }, // an unstuffed dot line from a sloppy server: the first dot still goes (§3)
        { "first\nsecond\r\n.\r\n", "first\nsecond\r\n" }, // a bare LF passes through
        { "a\n..b\n.\n", "a\n.b\n" }, // LF-only lines and terminator, as MailKit accepts them
        { "a\rb\r\n.\r\n", "a\rb\r\n" }, // a bare CR passes through
        { ".\rx\r\n.\r\n", "\rx\r\n" }, // dot, then a CR that is content
        { "x.\r\n.\r\n", "x.\r\n" }, // a dot that is not at the start of a line stays
        { ".\r\n", "" }, // an empty response
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void Every_split_of_the_input_decodes_the_same(string raw, string expected)
    {
        byte[] input = Encoding.Latin1.GetBytes(raw + "+OK next reply\r\n");
        int body = Encoding.Latin1.GetByteCount(raw);
        for (int split = 0; split <= body; split++)
        {
            (string text, int consumed) = Decode(input, [split], outputSize: 64);
            Assert.Equal(expected, text);
            Assert.Equal(body, consumed); // the next reply is left for the session
        }
    }

    [Theory]
    [MemberData(nameof(Responses))]
    public void Byte_by_byte_in_and_out_decodes_the_same(string raw, string expected)
    {
        byte[] input = Encoding.Latin1.GetBytes(raw + "+OK");
        (string text, int consumed) = Decode(input, Enumerable.Range(1, input.Length).ToArray(), outputSize: 1);
        Assert.Equal(expected, text);
        Assert.Equal(Encoding.Latin1.GetByteCount(raw), consumed);
    }

    [Fact]
    public void A_response_cut_off_before_its_terminating_line_has_not_ended()
    {
        var decoder = new Pop3DotDecoder();
        byte[] output = new byte[64];
        decoder.Decode("Subject: a\r\n\r\nbody\r\n."u8, output);
        Assert.False(decoder.Ended);
    }

    /// <summary>Feeds the input in pieces cut at <paramref name="cuts"/>, into an output buffer of the given size.</summary>
    private static (string Text, int Consumed) Decode(byte[] input, int[] cuts, int outputSize)
    {
        var decoder = new Pop3DotDecoder();
        var decoded = new List<byte>();
        byte[] output = new byte[outputSize];
        int position = 0;
        foreach (int cut in cuts.Append(input.Length))
        {
            while (position < cut && !decoder.Ended)
            {
                (int consumed, int written) = decoder.Decode(input.AsSpan(position, cut - position), output);
                decoded.AddRange(output.AsSpan(0, written).ToArray());
                position += consumed;
                if (consumed == 0 && written == 0)
                    break;
            }
        }

        Assert.True(decoder.Ended);
        return (Encoding.Latin1.GetString(decoded.ToArray()), position);
    }
}
