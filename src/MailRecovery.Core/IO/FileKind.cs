namespace MailRecovery.Core.IO;

/// <summary>What a path names, a symbolic link itself and not what it points to.</summary>
public enum FileKind
{
    Missing,
    Regular,
    Directory,
    SymbolicLink,

    /// <summary>A FIFO, socket or device, or a path that cannot be looked at.</summary>
    Other,
}
