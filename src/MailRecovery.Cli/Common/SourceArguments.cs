using System.CommandLine;
using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;

namespace MailRecovery.Cli.Common;

/// <summary>
/// The options that say which archive and which accounts a verb works on: either a configuration file, or one
/// account entirely on the command line (the scripting contract: <c>--archive DIR --source URI
/// [--password-file FILE] [--ca-file PEM] [--insecure]</c>).
/// </summary>
internal sealed class SourceArguments
{
    public Option<string?> Config { get; } = new("--config", "-c") { Description = "Configuration file (JSON). Environment variables MAILRECOVERY_<KEY>__<SUBKEY> override it." };

    public Option<string?> Archive { get; } = new("--archive") { Description = "Archive directory (a Maildir). Overrides the configuration's \"archive\"." };

    public Option<string?> Source { get; } = new("--source") { Description = "One account as a URI: imap[s]://user@host[:port][/Mailbox] or pop3[s]://user@host[:port]; add ?tls=none (with --insecure) for no TLS." };

    public Option<string?> PasswordFile { get; } = new("--password-file") { Description = "File whose first line is the password of --source (also: environment variable MAILRECOVERY_PASSWORD)." };

    public Option<string?> CaFile { get; } = new("--ca-file") { Description = "PEM certificate(s) to trust in addition to the system store (a private CA or a self-signed server certificate)." };

    public Option<bool> Insecure { get; } = new("--insecure") { Description = "Allow ?tls=none: the password crosses the network unencrypted." };

    public Option<string> Policy { get; } = new("--policy") { Description = "With --source: keep (default: change nothing on the server), delete (after archiving), delete-older-than:DAYS.", DefaultValueFactory = _ => "keep" };

    public TokenOptions Tokens { get; } = new("", "--source");

    public void AddTo(Command command, bool withPolicy = true)
    {
        command.Options.Add(Config);
        command.Options.Add(Archive);
        command.Options.Add(Source);
        command.Options.Add(PasswordFile);
        Tokens.AddTo(command);
        command.Options.Add(CaFile);
        command.Options.Add(Insecure);
        if (withPolicy)
            command.Options.Add(Policy);
    }

    /// <summary>Resolves the archive and the accounts, or throws a usage error that says what is missing.</summary>
    /// <param name="logger">The verb's log, for the token sources the configuration names (null: nowhere).</param>
    public (string Archive, IReadOnlyList<AccountSpec> Accounts, TimeSpan PollInterval) Resolve(ParseResult result, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        string? configPath = result.GetValue(Config);
        string? source = result.GetValue(Source);
        string? archive = result.GetValue(Archive);
        if (configPath is not null && source is not null)
            throw MailRecoveryException.Usage("--config and --source were both given.", "use the configuration file for daemon set-ups, --source for one account from a script; not both.");

        if (source is not null)
        {
            if (archive is null)
                throw MailRecoveryException.Usage("--source needs --archive.", "add --archive DIR (the Maildir archive to write to).");
            SourceEndpoint endpoint = SourceUri.Parse(source, result.GetValue(Insecure));
            Core.Protocols.Credential credentials = Tokens.Resolve(result, result.GetValue(PasswordFile), "MAILRECOVERY_PASSWORD");
            string policyText = result.GetValue(Policy) ?? "keep";
            if (!ServerPolicy.TryParse(policyText, out ServerPolicy policy))
                throw MailRecoveryException.Usage($"--policy {policyText} is not a server policy.", "use keep, delete or delete-older-than:DAYS.");
            var account = new AccountSpec(source, endpoint, credentials, CertificateTrust.FromFile(result.GetValue(CaFile)), policy);
            return (Path.GetFullPath(archive), [account], ConfigLoader.DefaultPollInterval);
        }

        if (configPath is null)
            throw MailRecoveryException.Usage("no account given.", "pass --source URI with --archive DIR, or --config FILE.");
        MailRecoveryConfig config = ConfigLoader.Load(configPath, logger);
        return (archive is null ? config.Archive : Path.GetFullPath(archive), config.Accounts, config.PollInterval);
    }

    /// <summary>For verbs that need only the archive (verify, reindex).</summary>
    public string ResolveArchive(ParseResult result)
    {
        string? archive = result.GetValue(Archive);
        if (archive is not null)
            return Path.GetFullPath(archive);
        string? configPath = result.GetValue(Config);
        if (configPath is null)
            throw MailRecoveryException.Usage("no archive given.", "pass --archive DIR (or --config FILE).");
        return ConfigLoader.Load(configPath).Archive;
    }
}
