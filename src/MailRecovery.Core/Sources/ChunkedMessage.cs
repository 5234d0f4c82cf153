namespace MailRecovery.Core.Sources;

/// <summary>
/// A received message held in <see cref="ReadAheadMemory"/>'s 64 KiB chunks until it is staged; read back as a
/// stream. Disposing gives the chunks back.
/// </summary>
internal sealed class ChunkedMessage : IDisposable
{
    private readonly List<byte[]> chunks = [];

    public long Length { get; private set; }

    /// <summary>Where the next bytes go: the free end of the last chunk, or a new chunk.</summary>
    public Memory<byte> Space()
    {
        int used = (int)(Length % ReadAheadMemory.ChunkSize);
        if (used == 0 && chunks.Count * (long)ReadAheadMemory.ChunkSize == Length)
            chunks.Add(ReadAheadMemory.RentChunk());
        return chunks[^1].AsMemory(used);
    }

    /// <summary>Counts <paramref name="n"/> bytes written into the last <see cref="Space"/>.</summary>
    public void Advance(int n) => Length += n;

    /// <summary>The bytes from the start (the message is not changed).</summary>
    public Stream Read() => new Reader(this);

    public void Dispose() => ReadAheadMemory.ReturnChunks(chunks);

    private sealed class Reader(ChunkedMessage message) : Stream
    {
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => message.Length;

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int total = 0;
            while (buffer.Length > 0 && position < message.Length)
            {
                int offset = (int)(position % ReadAheadMemory.ChunkSize);
                int n = (int)Math.Min(Math.Min(buffer.Length, ReadAheadMemory.ChunkSize - offset), message.Length - position);
                message.chunks[(int)(position / ReadAheadMemory.ChunkSize)].AsSpan(offset, n).CopyTo(buffer);
                buffer = buffer[n..];
                position += n;
                total += n;
            }

            return total;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
