namespace MailRecovery.Core.Sources;

/// <summary>
/// Bounds the memory that large IMAP downloads leave behind. MailKit holds each piece of a large message in small
/// blocks (POP3 needs none of this: <see cref="Pop3Wire.Pop3Session"/> streams RETR); while it downloads, those blocks outlive several young-generation collections
/// and so die in the old generation, which the runtime collects rarely: every large message would otherwise add its
/// size to the process's peak memory until then. After <see cref="Threshold"/> bytes of such downloads have been
/// released, one full collection (a few ms) returns them, so the peak stays near the largest single message.
/// </summary>
internal sealed class ReleasedMemoryCollector
{
    /// <summary>Bytes of released large downloads after which memory is collected.</summary>
    public const long Threshold = 8L * 1024 * 1024;

    private long released;

    /// <summary>Counts a large download whose buffers are garbage now.</summary>
    public void Released(long bytes)
    {
        released += Math.Max(0, bytes);
        if (released < Threshold)
            return;
        released = 0;
        GC.Collect();
    }
}
