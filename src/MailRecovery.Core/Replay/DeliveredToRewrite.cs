using System.Text;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Replay;

/// <summary>
/// <c>replay --deliver-as ADDR</c>: the message as the archive holds it, except that the copy account's own
/// <c>Delivered-To</c> / <c>X-Original-To</c> fields in the leading trace block (the block that
/// <see cref="MessageFingerprint"/> leaves out, up to the first field that is not trace) name ADDR instead. The first
/// such field becomes <c>Delivered-To: ADDR</c>, ended as that field was (CRLF, LF, or nothing at the end of the
/// file); the others of that block are dropped; a block without one gets <c>Delivered-To: ADDR</c> at the very top,
/// ended like the file's first line. Every other byte stays as it is, so the message identity does not change.
/// <para>
/// The rewrite is a list of edits (byte ranges of the file to keep, and the one new line), found by reading only
/// the leading trace block, at most <see cref="MaxTraceBlock"/> bytes of it; <see cref="Open"/> then reads the
/// file through those edits, seekable and of known <see cref="Length"/>, so a target can announce the size and
/// write the message twice (MailKit measures an IMAP literal first) without the message ever being held in memory.
/// </para>
/// </summary>
public sealed class DeliveredToRewrite
{
    /// <summary>
    /// How much of the leading trace block is looked at: fields that end beyond it are left as they are (a real
    /// delivery trace is a few kilobytes; this bounds the memory a hostile message can make the scan use).
    /// </summary>
    public const int MaxTraceBlock = 1024 * 1024;

    /// <summary>A line longer than this before its colon is not a field: the trace ends there (as in <see cref="MessageFingerprint"/>).</summary>
    private const int MaxFieldName = 998;

    private const int FirstRead = 16 * 1024;

    private readonly IReadOnlyList<SplicedStream.Segment> segments;

    private DeliveredToRewrite(string address, long fileLength, IReadOnlyList<SplicedStream.Segment> segments)
    {
        Address = address;
        FileLength = fileLength;
        this.segments = segments;
        Length = segments.Sum(s => s.Length);
    }

    /// <summary>The address the rewritten <c>Delivered-To</c> names.</summary>
    public string Address { get; }

    /// <summary>Length of the archived file the edits were made for.</summary>
    public long FileLength { get; }

    /// <summary>Length of the rewritten message, in bytes: what a target sends and announces.</summary>
    public long Length { get; }

    /// <summary>
    /// Checks an address given to <c>--deliver-as</c> and returns it trimmed of blanks and angle brackets.
    /// Only a plain ASCII <c>local@domain</c> is taken: it goes into a header field as it is.
    /// </summary>
    /// <exception cref="MailRecoveryException">A usage error naming the fix.</exception>
    public static string ValidateAddress(string? text)
    {
        string address = (text ?? string.Empty).Trim().TrimStart('<').TrimEnd('>').Trim();
        int at = address.LastIndexOf('@');
        bool plain = address.Length is > 2 and <= 254 && at > 0 && at < address.Length - 1
            && address.All(c => c is > ' ' and < (char)127 and not ('<' or '>' or '(' or ')' or ',' or ';' or ':' or '"' or '\\' or '[' or ']'))
            && address.IndexOf('@') == at && !address.Contains("..", StringComparison.Ordinal);
        return plain
            ? address
            : throw MailRecoveryException.Usage($"--deliver-as {text} is not an email address.",
                "give the helpdesk's own address as user@example.org (ASCII, no display name), e.g. --deliver-as helpdesk@example.org.");
    }

    /// <summary>Reads the leading trace block of the archived file at <paramref name="path"/> and plans the rewrite.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static async Task<DeliveredToRewrite> PlanAsync(string path, string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(address);
        using var handle = RegularFile.OpenReadHandle(path);
        long fileLength = RandomAccess.GetLength(handle);

        // Read more only while the trace block has not ended in what was read: a message's head, not its body.
        byte[] buffer = new byte[(int)Math.Min(fileLength, FirstRead)];
        int filled = 0;
        while (true)
        {
            int read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(filled), filled, cancellationToken);
            if (read == 0 && filled < fileLength)
                throw new IOException($"{path} became shorter while it was read");
            filled += read;
            bool whole = filled == fileLength;
            bool bounded = !whole && filled >= MaxTraceBlock;
            if (Plan(buffer.AsSpan(0, filled), whole, bounded, fileLength, address) is { } plan)
                return new DeliveredToRewrite(address, fileLength, plan);
            if (filled == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(Math.Min(fileLength, MaxTraceBlock), (long)buffer.Length * 2));
        }
    }

    /// <summary>Opens the rewritten message: a read-only, seekable view of the file through the edits.</summary>
    /// <exception cref="IOException">The file cannot be read, or it is no longer the file the edits were made for.</exception>
    public Stream Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var handle = RegularFile.OpenReadHandle(path);
        if (RandomAccess.GetLength(handle) != FileLength)
        {
            handle.Dispose();
            throw new IOException($"{path} changed after its Delivered-To rewrite was planned");
        }

        return new SplicedStream(handle, segments);
    }

    /// <summary>
    /// The edits for the head of a message, or null when <paramref name="head"/> ends inside the trace block and
    /// more must be read. Pure, for tests.
    /// </summary>
    /// <param name="head">The first bytes of the message.</param>
    /// <param name="whole">True when <paramref name="head"/> is the whole message.</param>
    /// <param name="bounded">True when no more may be read (<see cref="MaxTraceBlock"/>): the last field that began in <paramref name="head"/> is left as it is.</param>
    internal static IReadOnlyList<SplicedStream.Segment>? Plan(ReadOnlySpan<byte> head, bool whole, bool bounded, long fileLength, string address)
    {
        var fields = new List<(int Start, int End, bool Target)>();
        int pos = 0;
        while (true)
        {
            if (pos == head.Length)
            {
                if (whole)
                    break; // a message that is all trace
                if (bounded)
                {
                    DropLast(fields);
                    break;
                }

                return null;
            }

            int lf = head[pos..].IndexOf((byte)'\n');
            int lineEnd = lf < 0 ? head.Length : pos + lf + 1;
            bool more = lf < 0 && !whole && !bounded; // the line is not all here, and more can be read
            if (head[pos] is (byte)' ' or (byte)'\t')
            {
                // A folded continuation (RFC 5322 §2.2.3) belongs to the field before it.
                if (more)
                    return null;
                if (lf < 0 && bounded)
                {
                    DropLast(fields);
                    break;
                }

                if (fields.Count > 0)
                    fields[^1] = fields[^1] with { End = lineEnd };
                pos = lineEnd;
                continue;
            }

            ReadOnlySpan<byte> line = head[pos..lineEnd];
            int colon = line[..Math.Min(line.Length, MaxFieldName + 1)].IndexOfAny((byte)':', (byte)'\n');
            if (more && colon < 0 && line.Length <= MaxFieldName)
                return null; // the field name may go on
            if (colon <= 0 || colon == MaxFieldName || line[colon] != (byte)':')
                break; // not a field name: the trace block ends at this line
            string name = Encoding.ASCII.GetString(line[..colon]);
            if (!MessageFingerprint.IsTraceField(name))
                break;
            if (more)
                return null; // a trace field whose end is not here yet
            if (lf < 0 && bounded)
                break; // a field that may go on beyond the bound: left as it is, and the scan stops before it
            fields.Add((pos, lineEnd, name.Equals("Delivered-To", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Original-To", StringComparison.OrdinalIgnoreCase)));
            pos = lineEnd;
        }

        return Edits(head, fields, fileLength, address);
    }

    private static void DropLast(List<(int Start, int End, bool Target)> fields)
    {
        if (fields.Count > 0)
            fields.RemoveAt(fields.Count - 1);
    }

    private static List<SplicedStream.Segment> Edits(ReadOnlySpan<byte> head, List<(int Start, int End, bool Target)> fields, long fileLength, string address)
    {
        var segments = new List<SplicedStream.Segment>();
        long kept = 0; // the file is kept from here on, until the next edit
        bool replaced = false;
        foreach (var (start, end, target) in fields.Where(f => f.Target))
        {
            Keep(segments, kept, start);
            if (!replaced)
            {
                // The field's own line end, taken from its last line: CRLF, LF, or none at the end of a file.
                ReadOnlySpan<byte> field = head[start..end];
                string eol = field.EndsWith("\r\n"u8) ? "\r\n" : field.EndsWith("\n"u8) ? "\n" : string.Empty;
                segments.Add(SplicedStream.Segment.Of(Encoding.ASCII.GetBytes($"Delivered-To: {address}{eol}")));
                replaced = true;
            }

            kept = end;
        }

        if (!replaced)
        {
            // No Delivered-To/X-Original-To in the trace: a new one on top, ended like the file's first line.
            int lf = head.IndexOf((byte)'\n');
            string eol = lf > 0 && head[lf - 1] == (byte)'\r' ? "\r\n" : lf >= 0 ? "\n" : "\r\n";
            segments.Add(SplicedStream.Segment.Of(Encoding.ASCII.GetBytes($"Delivered-To: {address}{eol}")));
        }

        Keep(segments, kept, fileLength);
        return segments;
    }

    private static void Keep(List<SplicedStream.Segment> segments, long from, long to)
    {
        if (to > from)
            segments.Add(new SplicedStream.Segment(from, to - from, null));
    }
}
