namespace MailRecovery.Core.IO;

/// <summary>
/// A path that is a symbolic link, a FIFO, a device or a directory where a regular file was expected. An
/// <see cref="IOException"/>, so that every caller that handles unreadable files handles this one too.
/// </summary>
public sealed class NotRegularFileException : IOException
{
    public NotRegularFileException()
    {
    }

    public NotRegularFileException(string message)
        : base(message)
    {
    }

    public NotRegularFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NotRegularFileException(string path, string message)
        : base(message) => FilePath = path;

    /// <summary>The path refused, when known.</summary>
    public string? FilePath { get; }
}
