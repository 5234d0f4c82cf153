namespace MailRecovery.Core.Snapshots;

/// <summary>The kinds of tree entries a snapshot keeps; <see cref="Other"/> (FIFOs, sockets, devices) is reported and not copied.</summary>
public enum EntryType
{
    File,
    Directory,
    Symlink,
    Other,
}
