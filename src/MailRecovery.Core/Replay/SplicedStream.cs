using Microsoft.Win32.SafeHandles;

namespace MailRecovery.Core.Replay;

/// <summary>
/// A read-only, seekable stream made of byte ranges of one file and a few bytes held in memory, in order: how
/// <see cref="DeliveredToRewrite"/> presents a rewritten message without copying it. Reads go to the file by
/// offset (<see cref="RandomAccess"/>), so a rewind costs nothing. Owns the file handle.
/// </summary>
internal sealed class SplicedStream : Stream
{
    private readonly SafeFileHandle file;
    private readonly IReadOnlyList<Segment> segments;
    private readonly long length;
    private long position;
    private int cursor;
    private long cursorStart;

    public SplicedStream(SafeFileHandle file, IReadOnlyList<Segment> segments)
    {
        this.file = file;
        this.segments = segments;
        length = segments.Sum(s => s.Length);
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => position;
        set => position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!Locate(out Segment segment, out long within) || buffer.Length == 0)
            return 0;
        int n = (int)Math.Min(buffer.Length, segment.Length - within);
        n = segment.Bytes is { } bytes
            ? Copy(bytes, within, buffer[..n])
            : RandomAccess.Read(file, buffer[..n], segment.Offset + within);
        position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Locate(out Segment segment, out long within) || buffer.Length == 0)
            return 0;
        int n = (int)Math.Min(buffer.Length, segment.Length - within);
        n = segment.Bytes is { } bytes
            ? Copy(bytes, within, buffer.Span[..n])
            : await RandomAccess.ReadAsync(file, buffer[..n], segment.Offset + within, cancellationToken);
        position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => position + offset,
        _ => length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            file.Dispose();
        base.Dispose(disposing);
    }

    private static int Copy(byte[] bytes, long within, Span<byte> to)
    {
        bytes.AsSpan((int)within, to.Length).CopyTo(to);
        return to.Length;
    }

    /// <summary>The segment that holds <see cref="Position"/>; false at or past the end.</summary>
    private bool Locate(out Segment segment, out long within)
    {
        // Reads go forward: the walk goes on from the segment of the last read (from the first after a rewind),
        // so a rewrite with many segments still reads in linear time.
        if (position < cursorStart)
        {
            cursor = 0;
            cursorStart = 0;
        }

        while (cursor < segments.Count)
        {
            Segment s = segments[cursor];
            if (position < cursorStart + s.Length)
            {
                segment = s;
                within = position - cursorStart;
                return true;
            }

            cursorStart += s.Length;
            cursor++;
        }

        segment = default;
        within = 0;
        return false;
    }

    /// <summary>Bytes <paramref name="Offset"/> .. +<paramref name="Length"/> of the file, or <paramref name="Bytes"/> when not null.</summary>
    internal readonly record struct Segment(long Offset, long Length, byte[]? Bytes)
    {
        public static Segment Of(byte[] bytes) => new(0, bytes.Length, bytes);
    }
}
