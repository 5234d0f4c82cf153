namespace MailRecovery.Core.Configuration;

/// <summary>
/// Every key the configuration file accepts (README "Configuration"). A key not listed here is an error, not
/// silently ignored: a misspelt "mailboxs" once fetched only INBOX, and the Junk folder was never archived.
/// Keep this list, <see cref="ConfigLoader"/> and the README's tables in step.
/// </summary>
internal static class ConfigSchema
{
    private const string PathText = "a file path";
    private const string TrueFalse = "true or false";
    private const string EnvName = "the name of an environment variable";

    /// <summary>The token keys beside the password keys (see <see cref="TokenConfigParser"/>); <paramref name="prefix"/> "", "checkIn", "smtp" or "primary".</summary>
    private static ConfigKey[] TokenKeys(string prefix = "")
    {
        string Key(string name) => prefix.Length == 0 ? name : prefix + char.ToUpperInvariant(name[0]) + name[1..];
        return
        [
            ConfigKey.Value(Key("tokenFile"), PathText),
            ConfigKey.Value(Key("tokenCommand"), "a command printing an access token (run without a shell)"),
            ConfigKey.Section(
                Key("oauth2"),
                "a section: { \"provider\": \"microsoft\" | \"google\", ... }",
                ConfigKey.Value("provider", "\"microsoft\" or \"google\""),
                ConfigKey.Value("tenant", "the Microsoft tenant id or domain"),
                ConfigKey.Value("clientId", "the app registration's (OAuth client's) id"),
                ConfigKey.Value("clientSecretFile", PathText),
                ConfigKey.Value("certificateFile", PathText),
                ConfigKey.Value("serviceAccountKeyFile", PathText),
                ConfigKey.Value("user", "the mailbox a Google service account acts as"),
                ConfigKey.Value("tokenStore", PathText),
                ConfigKey.Value("authority", "an https:// URL (a national cloud's authority host, or Google's token endpoint)"),
                ConfigKey.Value("authorizationEndpoint", "an https:// URL (Google's authorization endpoint for auth login; default Google's)"),
                ConfigKey.Value("scope", "space-separated scopes (default: the provider's mail scope)")),
        ];
    }

    /// <summary>The keys of an account and of its "primary" (which has no "policy" and no "primary" of its own).</summary>
    private static ConfigKey[] AccountKeys(bool primary)
    {
        var keys = new List<ConfigKey>
        {
            ConfigKey.Value("name", "a name for reports, unique among the accounts"),
            ConfigKey.Value("protocol", "\"imap\" or \"pop3\""),
            ConfigKey.Value("host", "the server's host name"),
            ConfigKey.Value("port", "a whole number from 1 to 65535"),
            ConfigKey.Value("tls", "\"implicit\", \"starttls\" or \"none\""),
            ConfigKey.Value("insecure", TrueFalse),
            ConfigKey.Value("user", "the login name"),
            ConfigKey.Value("passwordFile", PathText),
            ConfigKey.Value("passwordEnv", EnvName),
            ConfigKey.Value("password", "nothing (a password in the file is refused; use passwordFile)"),
            ConfigKey.ListOfValues("mailboxes", "a list of mailbox names, e.g. [\"INBOX\", \"Junk\"]"),
            ConfigKey.Value("caFile", PathText),
        };
        keys.AddRange(TokenKeys());
        if (!primary)
        {
            keys.Add(ConfigKey.Value("policy", "\"keep\", \"delete\" or \"delete-older-than:DAYS\""));
            keys.Add(ConfigKey.Section("primary", "an account section (protocol, host, user, ...)", AccountKeys(primary: true)));
        }

        return [.. keys];
    }

    public static ConfigKey Root { get; } = ConfigKey.Section(
        string.Empty,
        "a JSON object",
        ConfigKey.Value("archive", "the archive directory"),
        ConfigKey.Value("caFile", PathText),
        ConfigKey.Value("insecure", TrueFalse),
        ConfigKey.Section("watch", "a section", ConfigKey.Value("pollSeconds", "a whole number from 1 to 86400"), ConfigKey.Value("heartbeatMinutes", "a whole number from 1 to 100000"), ConfigKey.Value("maxConnectionsPerServer", "a whole number from 1 to 10000"), ConfigKey.Map("connectionCaps", "a section of host names, each a whole number from 1 to 10000")),
        ConfigKey.ListOfSections("accounts", "a list of accounts: [ { \"protocol\": ..., \"host\": ..., ... } ]", AccountKeys(primary: false)),
        ConfigKey.Section(
            "probe",
            "a section",
            [
            ConfigKey.Value("everyMinutes", "a whole number from 1 to 100000"),
            ConfigKey.Value("smtp", "smtp://host[:port] or smtps://host[:port]"),
            ConfigKey.Value("alias", "the alias address"),
            ConfigKey.Value("copyAccount", "the name of one of the accounts"),
            ConfigKey.Value("primary", "a source URI, e.g. imaps://helpdesk@host/INBOX"),
            ConfigKey.Value("primaryPasswordFile", PathText),
            ConfigKey.Value("primaryPasswordEnv", EnvName),
            ConfigKey.Value("smtpPasswordFile", PathText),
            ConfigKey.Value("smtpPasswordEnv", EnvName),
            ConfigKey.Value("from", "an address"),
            ConfigKey.Value("timeoutSeconds", "a whole number from 1 to 3600"),
            ConfigKey.Value("cleanup", TrueFalse),
            ConfigKey.Value("cleanupPrimary", TrueFalse),
            .. TokenKeys("smtp"),
            .. TokenKeys("primary"),
            ]),
        ConfigKey.Section("metrics", "a section", ConfigKey.Value("listen", "ADDRESS:PORT to serve Prometheus metrics on, e.g. \"127.0.0.1:9750\"")),
        ConfigKey.Section(
            "alerts",
            "a section",
            ConfigKey.Value("reminderHours", "a whole number from 1 to 10000"),
            ConfigKey.Section("webhook", "a section", ConfigKey.Value("url", "an http:// or https:// URL"), ConfigKey.Value("format", "\"generic\", \"slack\" or \"ntfy\""), ConfigKey.Value("tokenFile", PathText), ConfigKey.Value("tokenEnv", EnvName)),
            ConfigKey.Section(
                "mail",
                "a section",
                [
                ConfigKey.Value("smtp", "smtp://host[:port] or smtps://host[:port]"),
                ConfigKey.Value("smtpPasswordFile", PathText),
                ConfigKey.Value("smtpPasswordEnv", EnvName),
                ConfigKey.Value("from", "an address"),
                ConfigKey.ListOfValues("to", "a list of addresses, e.g. [\"admin@example.com\"]"),
                .. TokenKeys("smtp"),
                ])),
        ConfigKey.Section("prune", "a section", ConfigKey.Value("minimumDays", "a whole number from 1 to 100000"), ConfigKey.Value("olderThanDays", "a whole number from 1 to 100000")),
        ConfigKey.Section("status", "a section", ConfigKey.Value("maxWaitingMinutes", "a whole number from 1 to 100000"), ConfigKey.Value("maxPassAgeMinutes", "a whole number from 1 to 100000")),
        ConfigKey.Section(
            "replay",
            "a section",
            [
            ConfigKey.Value("passwordFile", PathText),
            ConfigKey.Value("passwordEnv", EnvName),
            ConfigKey.Value("password", "nothing (a password in the file is refused; use passwordFile)"),
            ConfigKey.Value("caFile", PathText),
            ConfigKey.Value("insecure", TrueFalse),
            ConfigKey.Value("checkIn", "an IMAP mailbox URI, e.g. \"imaps://helpdesk@mail.example.com/INBOX\""),
            ConfigKey.Value("checkInPasswordFile", PathText),
            ConfigKey.Value("checkInPasswordEnv", EnvName),
            .. TokenKeys(),
            .. TokenKeys("checkIn"),
            ConfigKey.Value("connections", "a whole number from 1 to 50"),
            ]),
        ConfigKey.Section("snapshots", "a section", ConfigKey.Value("store", "the snapshot store directory (snapshot create --store)")));
}
