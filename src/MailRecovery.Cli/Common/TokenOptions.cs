using System.CommandLine;
using MailRecovery.Core.Auth;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Protocols;
using MailRecovery.Core.Sources;

namespace MailRecovery.Cli.Common;

/// <summary>
/// The scripting contract's token flags beside a password flag: wherever <c>--{prefix}password-file FILE</c> is
/// accepted, <c>--{prefix}token-file FILE</c> and <c>--{prefix}token-command CMD</c> are accepted instead (prefix
/// "", "primary-", "smtp-", "copy-", "check-in-"). The mechanism (XOAUTH2, else OAUTHBEARER) comes from what the
/// server offers. A token never goes on the command line: only the file that holds it, or the command that prints it.
/// </summary>
internal sealed class TokenOptions(string prefix, string whose)
{
    public Option<string?> TokenFile { get; } = new($"--{prefix}token-file")
    {
        Description = $"File holding an OAuth2 access token for {whose}, re-read on every sign-in (instead of --{prefix}password-file).",
    };

    public Option<string?> TokenCommand { get; } = new($"--{prefix}token-command")
    {
        Description = $"Command printing an OAuth2 access token for {whose} on its first line, run without a shell (instead of --{prefix}password-file).",
    };

    public string PasswordFlag => $"--{prefix}password-file";

    public void AddTo(Command command)
    {
        command.Options.Add(TokenFile);
        command.Options.Add(TokenCommand);
    }

    /// <summary>Whether a token flag was given.</summary>
    public bool Given(ParseResult result) => result.GetValue(TokenFile) is not null || result.GetValue(TokenCommand) is not null;

    /// <summary>
    /// The credential the flags say: a token source, else the password file, else <paramref name="passwordVariable"/>.
    /// </summary>
    /// <exception cref="MailRecoveryException">More than one of the password file, token file and token command (usage).</exception>
    public Credential Resolve(ParseResult result, string? passwordFile, string? passwordVariable) =>
        Resolve(passwordFile, result.GetValue(TokenFile), result.GetValue(TokenCommand), passwordVariable);

    /// <inheritdoc cref="Resolve(ParseResult, string?, string?)"/>
    public Credential Resolve(string? passwordFile, string? tokenFile, string? tokenCommand, string? passwordVariable)
    {
        var given = new List<string>();
        if (passwordFile is not null)
            given.Add(PasswordFlag);
        if (tokenFile is not null)
            given.Add(TokenFile.Name);
        if (tokenCommand is not null)
            given.Add(TokenCommand.Name);
        if (given.Count > 1)
        {
            throw MailRecoveryException.Usage($"{string.Join(" and ", given)} were both given.",
                $"sign {whose} in one way: a password ({PasswordFlag}), a token file ({TokenFile.Name}) or a token command ({TokenCommand.Name}).");
        }

        if (tokenFile is not null)
            return new TokenCredential(TokenSourceFactory.Create(TokenSpec.FromFile(Path.GetFullPath(tokenFile)), TimeProvider.System));
        if (tokenCommand is not null)
            return new TokenCredential(TokenSourceFactory.Create(TokenSpec.FromCommand(tokenCommand), TimeProvider.System));
        return new SourceCredentials(passwordFile, passwordFile is null ? passwordVariable : null);
    }
}
