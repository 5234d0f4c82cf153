using MailKit;

namespace MailRecovery.Core.Replay;

/// <summary>A message of an IMAP mailbox that is the same message (by <see cref="Archive.MessageIdentity"/>) as an archived one.</summary>
/// <param name="Uid">Its UID, or <see cref="UniqueId.Invalid"/> for a copy this run delivered and has not listed since.</param>
/// <param name="Flags">Its flags when the mailbox was listed.</param>
public sealed record ImapCopy(UniqueId Uid, MessageFlags Flags)
{
    /// <summary>
    /// True when the mailbox's reader has taken this copy: flagged <c>\Seen</c> or <c>\Deleted</c>. For a helpdesk
    /// that keeps its mail on the server and reads only unseen messages, such a copy does not bring the message
    /// back: the helpdesk will not read it again.
    /// </summary>
    public bool Taken => (Flags & (MessageFlags.Seen | MessageFlags.Deleted)) != 0;
}
