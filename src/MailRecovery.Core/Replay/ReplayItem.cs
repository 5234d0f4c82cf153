using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Replay;

/// <summary>One archived message to replay, with the path of its file.</summary>
public sealed record ReplayItem(ArchivedMessage Message, string Path)
{
    /// <summary>Opens the exact archived bytes for reading (streamed, never loaded whole).</summary>
    public FileStream OpenRead() => new(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
}
