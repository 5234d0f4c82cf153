using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Replay;

/// <summary>One archived message to replay, with the path of its file.</summary>
/// <param name="MessageIdShared">Other messages of the replay have the same Message-ID, so it cannot identify this one in a target.</param>
public sealed record ReplayItem(ArchivedMessage Message, string Path, bool MessageIdShared = false)
{
    /// <summary>Opens the exact archived bytes for reading (streamed, never loaded whole).</summary>
    public FileStream OpenRead() => new(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
}
