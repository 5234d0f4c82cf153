namespace MailRecovery.Tests.TestBed;

/// <summary>
/// Writes a password file the way a user must: 0600 whatever the umask, since MailRecovery refuses a password
/// file that group or others can read.
/// </summary>
public static class SecretFile
{
    public static async Task WriteAsync(string path, string content)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        await using (var file = new FileStream(path, options))
        await using (var writer = new StreamWriter(file))
            await writer.WriteAsync(content);

        // FileMode.Create keeps the mode of a file that already existed.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
