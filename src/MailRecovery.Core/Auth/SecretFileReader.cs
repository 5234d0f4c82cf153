using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Auth;

/// <summary>
/// Reads a file that holds a secret (an access token, a client secret, a refresh token store) the way password
/// files are read: refused when group or others have any permission on it (as ssh refuses a private key); a link
/// is followed (secret stores mount files as links), the mode checked is the opened file's.
/// </summary>
public static class SecretFileReader
{
    private const UnixFileMode OpenToOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The first line, without its line end; <paramref name="what"/> names the file in messages ("token file").</summary>
    /// <exception cref="MailRecoveryException">Usage: missing, unreadable, open to others, or empty.</exception>
    public static async ValueTask<string> ReadFirstLineAsync(string path, string what, CancellationToken cancellationToken)
    {
        string text = await ReadAllAsync(path, what, cancellationToken);
        int end = text.IndexOfAny(['\r', '\n']);
        string line = end < 0 ? text : text[..end];
        if (line.Length == 0)
            throw MailRecoveryException.Usage($"the {what} {path} is empty.", "write it on the file's first line.");
        return line;
    }

    /// <summary>The whole file as UTF-8 text.</summary>
    /// <exception cref="MailRecoveryException">Usage: missing, unreadable, or open to others.</exception>
    public static async ValueTask<string> ReadAllAsync(string path, string what, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file.SafeFileHandle) & OpenToOthers) != 0)
                throw MailRecoveryException.Usage($"the {what} {path} can be read or changed by group or others.", $"chmod 600 {path}");
            using var reader = new StreamReader(file);
            return await reader.ReadToEndAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw MailRecoveryException.Usage($"cannot read the {what} {path} ({e.Message}).", "check the path and that this user may read it (chmod 600).");
        }
    }
}
