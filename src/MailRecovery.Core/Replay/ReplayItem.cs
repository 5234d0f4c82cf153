using MailRecovery.Core.Archive;
using MailRecovery.Core.IO;

namespace MailRecovery.Core.Replay;

/// <summary>One archived message to replay, with the path of its file.</summary>
/// <param name="MessageIdShared">Other messages of the replay have the same Message-ID, so it cannot identify this one in a target.</param>
public sealed record ReplayItem(ArchivedMessage Message, string Path, bool MessageIdShared = false)
{
    /// <summary>The <c>--deliver-as</c> rewrite of the leading trace block, or null: the archive's bytes as they are.</summary>
    public DeliveredToRewrite? Rewrite { get; init; }

    /// <summary>
    /// Length of what <see cref="OpenRead"/> gives, in bytes: what a target sends and announces (SIZE=, an IMAP
    /// literal, a Maildir S=). The archived size unless <see cref="Rewrite"/> changes it.
    /// </summary>
    public long ContentLength => Rewrite?.Length ?? Message.Size;

    /// <summary>
    /// Opens the bytes to deliver, streamed, never loaded whole, seekable: the archived file's, or with
    /// <see cref="Rewrite"/> the file read through it. Targets read the message only through this.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read, or is a symbolic link or not a regular file (never read through).</exception>
    public Stream OpenRead() => Rewrite is { } rewrite
        ? rewrite.Open(Path)
        : RegularFile.OpenRead(Path, ReadBufferSize);

    /// <summary>
    /// The file stream's own buffer: targets copy in larger chunks, which bypass it, so it serves only the small
    /// reads of the header (the Return-Path). Its default of 64 KiB was allocated per message and lived as long as
    /// the delivery, long enough to be promoted: with 8 SMTP connections the old generation grew with the replay.
    /// </summary>
    private const int ReadBufferSize = 4096;
}
