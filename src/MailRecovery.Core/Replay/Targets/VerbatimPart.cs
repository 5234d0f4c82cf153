using System.Buffers;
using MimeKit;
using MimeKit.IO;
using MimeKit.IO.Filters;

namespace MailRecovery.Core.Replay.Targets;

/// <summary>
/// The body of a <see cref="VerbatimMessage"/>: writes its source stream's bytes instead of MIME content. Created
/// only by the parser (registered for the stub's media type); public because the parser needs its constructor.
/// </summary>
public sealed class VerbatimPart : MimePart
{
    /// <summary>
    /// Bytes copied at a time, from a pooled buffer. 32 KiB keeps every buffer on the way in the small-object heap
    /// (under 85,000 bytes): the CRLF filter allocates twice its input, and MailKit's SMTP dot-stuffing filter as
    /// much as it gets. With 64 KiB both were large objects, one each per message, which only a full collection
    /// frees: a 10,000-message replay's memory grew until one came.
    /// </summary>
    private const int BufferSize = 32 * 1024;

    public VerbatimPart(MimeEntityConstructorArgs args)
        : base(args)
    {
    }

    internal Stream? Source { get; set; }

    /// <summary>Where the message starts in <see cref="Source"/>: every write starts there again.</summary>
    internal long Origin { get; set; }

    internal bool ToCrlf { get; set; }

    internal ReadOnlyMemory<byte> Prefix { get; set; }

    public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Stream source = Rewind();

        // MailKit measures an IMAP literal by writing the message into a MeasuringStream, synchronously, before
        // it sends the APPEND line ({length}); unconverted, the length is the stream's, so the file is not read twice.
        if (stream is MeasuringStream measure && !ToCrlf && source.CanSeek)
        {
            measure.SetLength(measure.Length + Prefix.Length + source.Length - Origin);
            measure.Seek(0, SeekOrigin.End);
            return;
        }

        using Stream target = Target(stream);
        target.Write(Prefix.Span);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = source.Read(buffer, 0, BufferSize)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                target.Write(buffer, 0, read);
            }

            target.Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Stream source = Rewind();
        await using Stream target = Target(stream);
        await target.WriteAsync(Prefix, cancellationToken);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            await target.FlushAsync(cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Stream Rewind()
    {
        Stream source = Source ?? throw new InvalidOperationException("a verbatim message has no source stream");
        if (source.CanSeek)
            source.Position = Origin;
        return source;
    }

    /// <summary>The stream to write to: as it is, or through CRLF conversion (left open either way).</summary>
    private Stream Target(Stream stream)
    {
        var filtered = new FilteredStream(stream);
        if (ToCrlf)
            filtered.Add(new Unix2DosFilter());
        return filtered;
    }
}
