namespace MailRecovery.Core.Sources;

/// <summary>Tuning of IMAP downloads. The defaults suit a mailbox of ordinary mail on a LAN or the Internet.</summary>
public sealed class ImapSourceOptions
{
    /// <summary>
    /// Messages up to this size are fetched many to a command; larger ones in partial fetches of
    /// <see cref="ChunkSize"/> (RFC 9051 §6.4.5 BODY[]&lt;offset.count&gt;), so memory stays bounded.
    /// </summary>
    /// <value>The default value is 1 MiB: MailKit holds a whole literal in memory, and 99% of mail is smaller.</value>
    public long LargeMessageThreshold { get; set; } = 1024 * 1024;

    /// <summary>The size of one partial fetch of a large message.</summary>
    /// <value>The default value is 1 MiB.</value>
    public int ChunkSize { get; set; } = 1024 * 1024;

    /// <summary>The most UIDs in one FETCH command for metadata (keeps command lines short).</summary>
    /// <value>The default value is 2000.</value>
    public int DescribeBatch { get; set; } = 2000;
}
