namespace MailRecovery.Core.Sources.Pop3Wire;

/// <summary>
/// Undoes the byte-stuffing of a POP3 multi-line response (RFC 1939 §3) and finds its end, as a pure state
/// machine fed in pieces of any size: a line that begins with "." loses that dot ("..x" becomes ".x"), and a line
/// that is only "." ends the response. Like MailKit's Pop3Stream, a bare LF ends a line as well as CRLF does, so
/// ".\n" also ends the response; every other byte, bare CR and bare LF included, passes through unchanged.
/// </summary>
internal struct Pop3DotDecoder
{
    private State state;

    private enum State
    {
        LineStart,
        MidLine,
        AfterDot,
        AfterDotCr,
        Ended,
    }

    /// <summary>True once the terminating "." line has been consumed.</summary>
    public readonly bool Ended => state == State.Ended;

    /// <summary>
    /// Decodes from <paramref name="input"/> into <paramref name="output"/> until the input is used up, the output
    /// is full, or the response ends. Output never exceeds input, so an output as long as the input always takes it.
    /// A withheld dot (or dot and CR) waits in the state for the next piece.
    /// </summary>
    /// <returns>The bytes consumed from the input and written to the output.</returns>
    public (int Consumed, int Written) Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int i = 0, o = 0;
        while (i < input.Length && o < output.Length && state != State.Ended)
        {
            switch (state)
            {
                case State.LineStart:
                    if (input[i] == (byte)'.')
                    {
                        i++;
                        state = State.AfterDot;
                    }
                    else
                    {
                        state = State.MidLine;
                    }

                    break;
                case State.MidLine:
                    ReadOnlySpan<byte> rest = input[i..];
                    int lf = rest.IndexOf((byte)'\n');
                    int take = Math.Min(lf < 0 ? rest.Length : lf + 1, output.Length - o);
                    rest[..take].CopyTo(output[o..]);
                    i += take;
                    o += take;
                    if (take > 0 && output[o - 1] == (byte)'\n')
                        state = State.LineStart;
                    break;
                case State.AfterDot:
                    if (input[i] == (byte)'\r')
                    {
                        i++;
                        state = State.AfterDotCr;
                    }
                    else if (input[i] == (byte)'\n')
                    {
                        i++;
                        state = State.Ended;
                    }
                    else
                    {
                        state = State.MidLine; // the stuffed dot is dropped; the byte is the line's first
                    }

                    break;
                case State.AfterDotCr:
                    if (input[i] == (byte)'\n')
                    {
                        i++;
                        state = State.Ended;
                    }
                    else
                    {
                        output[o++] = (byte)'\r'; // ".\rx": the dot was stuffing, the CR is content
                        state = State.MidLine;
                    }

                    break;
            }
        }

        return (i, o);
    }
}
