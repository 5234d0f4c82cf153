using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Sources;

/// <summary>
/// The password credential (<see cref="Protocols.Credential"/>): where a password comes from: a file or an environment variable, never the command line (argv is
/// visible to every user of the machine). The password is read when needed and never logged.
/// </summary>
public sealed record SourceCredentials(string? PasswordFile, string? PasswordEnvironmentVariable) : Protocols.Credential
{
    public static SourceCredentials None { get; } = new(null, null);

    /// <summary>Reads the password: the first line of the file, or the variable's value.</summary>
    /// <exception cref="MailRecoveryException">
    /// The file is missing, unreadable, open to group or others, or its line ends in whitespace; or the variable
    /// is unset. All usage errors (exit 2) with a fix.
    /// </exception>
    public string Read(string account)
    {
        if (PasswordFile is not null)
            return ReadFile(account, PasswordFile);

        if (PasswordEnvironmentVariable is not null)
        {
            string? value = Environment.GetEnvironmentVariable(PasswordEnvironmentVariable);
            if (string.IsNullOrEmpty(value))
                throw MailRecoveryException.Usage($"{account}: the environment variable {PasswordEnvironmentVariable} is not set.", $"export {PasswordEnvironmentVariable}=… or use a password file.");
            return value;
        }

        throw MailRecoveryException.Usage($"{account}: no password given.", "pass --password-file FILE, or set passwordFile / passwordEnv for the account in the configuration.");
    }

    /// <summary>
    /// The first line of a password file, refused (as ssh refuses a private key and fetchmail its .fetchmailrc)
    /// when group or others have any permission on it: they could read the password, or change it. A link is
    /// followed (secret stores mount files as links); the mode checked is the opened file's. Trailing spaces or
    /// tabs are refused, not trimmed and not sent: an editor added them, or they belong to the password, and
    /// only the user can tell.
    /// </summary>
    private static string ReadFile(string account, string path)
    {
        const UnixFileMode OpenToOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file.SafeFileHandle) & OpenToOthers) != 0)
            {
                throw MailRecoveryException.Usage($"{account}: the password file {path} can be read or changed by group or others.",
                    $"chmod 600 {path}");
            }

            using var reader = new StreamReader(file);
            string? line = reader.ReadLine();
            if (string.IsNullOrEmpty(line))
                throw MailRecoveryException.Usage($"{account}: the password file {path} is empty.", "write the password on its first line.");
            if (line[^1] is ' ' or '\t')
            {
                throw MailRecoveryException.Usage($"{account}: the first line of the password file {path} ends in a space or tab, which is not sent.",
                    "remove the spaces or tabs at the end of its first line (printf '%s' 'PASSWORD' > FILE writes none); a password that really ends in one can come from the environment variable instead.");
            }

            return line;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw MailRecoveryException.Usage($"{account}: cannot read the password file {path} ({e.Message}).", "check the path and that this user may read it (chmod 600).");
        }
    }
}
