using MailKit;
using MailKit.Net.Imap;

namespace MailRecovery.Core.Sources;

/// <summary>
/// A read-only stream over one large message that fetches it in partial pieces
/// (<c>UID FETCH n BODY.PEEK[]&lt;offset.count&gt;</c>, RFC 9051 §6.4.5), so that at most one chunk is in
/// memory whatever the message size. The end is reached when the server returns fewer bytes than asked.
/// </summary>
internal sealed class ImapPartialStream : Stream
{
    private readonly ImapFolder folder;
    private readonly UniqueId uid;
    private readonly int chunkSize;
    private Stream? current;
    private long offset;
    private bool lastChunk;

    public ImapPartialStream(ImapFolder folder, UniqueId uid, int chunkSize)
    {
        this.folder = folder;
        this.uid = uid;
        this.chunkSize = chunkSize;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => offset;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (current is not null)
            {
                int n = await current.ReadAsync(buffer, cancellationToken);
                if (n > 0)
                {
                    offset += n;
                    return n;
                }

                await current.DisposeAsync();
                current = null;
            }

            if (lastChunk)
                return 0;

            current = await folder.GetStreamAsync(uid, string.Empty, checked((int)offset), chunkSize, cancellationToken);
            lastChunk = current.Length < chunkSize;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous all the way (MailKit's blocking API), never sync-over-async: socket continuations may run inline
    // on the socket engine's thread, which a blocked wait there would deadlock.
    public override int Read(byte[] buffer, int offset, int count)
    {
        while (true)
        {
            if (current is not null)
            {
                int n = current.Read(buffer, offset, count);
                if (n > 0)
                {
                    this.offset += n;
                    return n;
                }

                current.Dispose();
                current = null;
            }

            if (lastChunk)
                return 0;

            current = folder.GetStream(uid, string.Empty, checked((int)this.offset), chunkSize);
            lastChunk = current.Length < chunkSize;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            current?.Dispose();
        base.Dispose(disposing);
    }
}
