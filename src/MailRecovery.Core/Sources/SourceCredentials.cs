using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Sources;

/// <summary>
/// Where a password comes from: a file or an environment variable, never the command line (argv is
/// visible to every user of the machine). The password is read when needed and never logged.
/// </summary>
public sealed record SourceCredentials(string? PasswordFile, string? PasswordEnvironmentVariable)
{
    public static SourceCredentials None { get; } = new(null, null);

    /// <summary>Reads the password: the first line of the file, or the variable's value.</summary>
    /// <exception cref="MailRecoveryException">The file is missing or unreadable, or the variable is unset.</exception>
    public string Read(string account)
    {
        if (PasswordFile is not null)
        {
            try
            {
                using var reader = new StreamReader(PasswordFile);
                string? line = reader.ReadLine();
                if (string.IsNullOrEmpty(line))
                    throw MailRecoveryException.Usage($"{account}: the password file {PasswordFile} is empty.", "write the password on its first line.");
                return line;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw MailRecoveryException.Usage($"{account}: cannot read the password file {PasswordFile} ({e.Message}).", "check the path and that this user may read it (chmod 600).");
            }
        }

        if (PasswordEnvironmentVariable is not null)
        {
            string? value = Environment.GetEnvironmentVariable(PasswordEnvironmentVariable);
            if (string.IsNullOrEmpty(value))
                throw MailRecoveryException.Usage($"{account}: the environment variable {PasswordEnvironmentVariable} is not set.", $"export {PasswordEnvironmentVariable}=… or use a password file.");
            return value;
        }

        throw MailRecoveryException.Usage($"{account}: no password given.", "pass --password-file FILE, or set passwordFile / passwordEnv for the account in the configuration.");
    }
}
