using System.Globalization;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Probe;
using MailRecovery.Core.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace MailRecovery.Core.Configuration;

/// <summary>
/// Reads the JSON configuration file, overridden by environment variables named
/// <c>MAILRECOVERY_</c> + the key path with <c>__</c> between levels (for example
/// <c>MAILRECOVERY_ACCOUNTS__0__HOST</c>), and validates it. Every error names the key and the fix.
/// </summary>
public static class ConfigLoader
{
    public const string EnvironmentPrefix = "MAILRECOVERY_";

    /// <summary>The default poll interval of <c>watch</c>.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(60);

    /// <summary>The default of <c>status:maxWaitingMinutes</c>: mail waiting longer in the helpdesk's account is flagged.</summary>
    public static readonly TimeSpan DefaultMaxWaiting = TimeSpan.FromMinutes(30);

    /// <summary>The default of <c>watch:heartbeatMinutes</c>: how often watch logs that it is alive.</summary>
    public static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromMinutes(60);

    /// <param name="logger">
    /// The verb's log, handed to the token sources the configuration names, so that what they warn about (a refresh
    /// token near its inactivity limit) reaches the user; null: nowhere.
    /// </param>
    public static MailRecoveryConfig Load(string path, ILogger? logger = null)
    {
        if (!File.Exists(path))
            throw MailRecoveryException.Usage($"the configuration file {path} does not exist.", "check --config, or start from the example in the README.");
        Dictionary<string, string> origins = EnvironmentOverrides();
        IConfigurationRoot root;
        try
        {
            root = new ConfigurationBuilder()
                .AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false)
                .AddInMemoryCollection(origins.Select(o => new KeyValuePair<string, string?>(o.Key, Environment.GetEnvironmentVariable(o.Value))))
                .Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException or System.Text.Json.JsonException)
        {
            throw MailRecoveryException.Usage($"the configuration file {path} is not valid JSON: {e.GetBaseException().Message}", "fix the syntax (a JSON validator shows where).");
        }

        ConfigKeyChecker.Check(root, origins.ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal));
        return Parse(root, Path.GetDirectoryName(Path.GetFullPath(path))!, logger);
    }

    /// <summary>Validates an already built configuration; relative paths are resolved against <paramref name="baseDirectory"/>.</summary>
    /// <param name="logger">See <see cref="Load"/>.</param>
    public static MailRecoveryConfig Parse(IConfiguration root, string baseDirectory, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ConfigKeyChecker.Check(root, new Dictionary<string, string>(StringComparer.Ordinal));
        string archive = Required(root, "archive", "the directory of the Maildir archive, e.g. \"/var/lib/mailrecovery/archive\"");
        string? caFile = Optional(root, "caFile");
        bool insecure = Bool(root, "insecure", false);
        int pollSeconds = Int(root, "watch:pollSeconds", (int)DefaultPollInterval.TotalSeconds, 1, 86400);

        var accounts = new List<AccountSpec>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        IConfigurationSection[] sections = root.GetSection("accounts").GetChildren().ToArray();
        if (sections.Length == 0)
            throw Error("accounts", "no account is configured", "add at least one entry to \"accounts\" (see the README example).");
        foreach (IConfigurationSection section in sections)
        {
            AccountSpec account = ParseAccount(section, Resolve(caFile, baseDirectory), insecure, baseDirectory, logger);
            if (!names.Add(account.Name))
                throw Error(KeyOf(section, "name"), $"the account name '{account.Name}' is used twice", "give each account its own name.");
            accounts.Add(account);
        }

        ProbeSchedule? probe = ParseProbe(root.GetSection("probe"), accounts, Resolve(caFile, baseDirectory), insecure, baseDirectory, logger);
        int maxWaiting = Int(root, "status:maxWaitingMinutes", (int)DefaultMaxWaiting.TotalMinutes, 1, 100_000);
        ReplayTargetSettings replay = ParseReplay(root.GetSection("replay"), Resolve(caFile, baseDirectory), insecure, baseDirectory, logger);
        // Five poll intervals unless set: a pass or two lost to a slow server never alarms, a stopped watch soon does.
        TimeSpan maxPassAge = root["status:maxPassAgeMinutes"] is null ? 5 * TimeSpan.FromSeconds(pollSeconds)
            : TimeSpan.FromMinutes(Int(root, "status:maxPassAgeMinutes", 5, 1, 100_000));
        int heartbeat = Int(root, "watch:heartbeatMinutes", (int)DefaultHeartbeat.TotalMinutes, 1, 100_000);
        int pruneMinimum = Int(root, "prune:minimumDays", MailRecovery.Core.Archive.PruneCutoff.DefaultMinimumDays, 1, 100_000);
        int? pruneOlderThan = root["prune:olderThanDays"] is null ? null : Int(root, "prune:olderThanDays", pruneMinimum, 1, 100_000);
        if (pruneOlderThan < pruneMinimum)
            throw Error("prune.olderThanDays", $"is {pruneOlderThan}, below prune.minimumDays ({pruneMinimum})", $"set it to {pruneMinimum} or more, or lower prune.minimumDays.");
        return new MailRecoveryConfig(Resolve(archive, baseDirectory)!, accounts, TimeSpan.FromSeconds(pollSeconds), probe, replay, TimeSpan.FromMinutes(maxWaiting))
        {
            MaxPassAge = maxPassAge,
            Heartbeat = TimeSpan.FromMinutes(heartbeat),
            MaxConnectionsPerServer = Int(root, "watch:maxConnectionsPerServer", Fetch.WatchOptions.DefaultMaxConnectionsPerServer, 1, 10_000),
            ConnectionCaps = ParseConnectionCaps(root.GetSection("watch:connectionCaps")),
            Metrics = ParseMetrics(root),
            SnapshotStore = Resolve(root["snapshots:store"], baseDirectory),
            Alerts = AlertConfigParser.Parse(root.GetSection("alerts"), Resolve(caFile, baseDirectory), insecure, baseDirectory, logger),
            PruneMinimumDays = pruneMinimum,
            PruneOlderThanDays = pruneOlderThan,
        };
    }

    /// <summary><c>watch:connectionCaps</c>: host name → the most passes at once against it (1 to 10,000).</summary>
    private static Dictionary<string, int> ParseConnectionCaps(IConfigurationSection caps)
    {
        var result = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (IConfigurationSection host in caps.GetChildren())
        {
            result[host.Key.TrimEnd('.')] = int.TryParse(host.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int cap) && cap is >= 1 and <= 10_000
                ? cap
                : throw Error($"watch.connectionCaps.{host.Key}", $"'{host.Value}' is not a whole number from 1 to 10000", "write the most connections at once to that host, e.g. \"imap.example.com\": 4.");
        }

        return result;
    }

    /// <summary>The optional <c>metrics:listen</c>: where watch serves Prometheus metrics (off without it).</summary>
    private static Metrics.MetricsEndpoint? ParseMetrics(IConfiguration root) =>
        Optional(root, "metrics:listen") is not string listen ? null
            : Metrics.MetricsEndpoint.TryParse(listen) ?? throw Error("metrics.listen", $"'{listen}' is not {Metrics.MetricsEndpoint.Grammar}", "set it to \"127.0.0.1:9750\" (only this machine) or \"0.0.0.0:9750\" (every interface), or remove it.");

    /// <summary>
    /// The optional "replay" section, for the target of <c>replay --to</c>: <c>passwordFile</c> or
    /// <c>passwordEnv</c>, <c>caFile</c> and <c>insecure</c> (both default to the top-level ones, so a private CA
    /// configured once serves fetching and replaying alike).
    /// </summary>
    private static ReplayTargetSettings ParseReplay(IConfigurationSection s, string? defaultCa, bool globalInsecure, string baseDirectory, ILogger? logger)
    {
        if (Optional(s, "password") is not null)
            throw Error(KeyOf(s, "password"), "a password written in the configuration is not accepted", "put it in a file (chmod 600) and set \"passwordFile\", or set \"passwordEnv\".");
        string? ca = Resolve(Optional(s, "caFile"), baseDirectory) ?? defaultCa;
        // The CA is read only when a token source needs it for its identity provider's HTTPS: a password-only
        // section may name a CA file that exists only on the machine that replays.
        CertificateTrust trust = TokenConfigParser.Parse(s, baseDirectory) is null && TokenConfigParser.Parse(s, baseDirectory, "checkIn") is null
            ? CertificateTrust.System : CertificateTrust.FromFile(ca);
        // The same rule as every other sign-in: a password and a token together are refused, naming the key.
        Protocols.Credential target = TokenConfigParser.ParseCredential(s, baseDirectory, string.Empty, "the replay target's sign-in", trust, logger);
        Protocols.Credential checkIn = TokenConfigParser.ParseCredential(s, baseDirectory, "checkIn", "the replay check-in mailbox's sign-in", trust, logger);
        SourceCredentials? password = target as SourceCredentials;
        SourceCredentials? checkInPassword = checkIn as SourceCredentials;
        return new ReplayTargetSettings(
            password?.PasswordFile,
            password?.PasswordFile is null ? password?.PasswordEnvironmentVariable : null,
            ca,
            Bool(s, "insecure", globalInsecure),
            Optional(s, "checkIn"),
            checkInPassword?.PasswordFile,
            checkInPassword?.PasswordFile is null ? checkInPassword?.PasswordEnvironmentVariable : null)
        {
            Credential = target as Protocols.TokenCredential,
            CheckInCredential = checkIn as Protocols.TokenCredential,
            Connections = Optional(s, "connections") is null ? null : Int(s, "connections", Replay.ReplayTargetOptions.DefaultConnections, 1, Replay.ReplayTargetOptions.MaxConnections),
        };
    }

    /// <summary>
    /// The optional "probe" section: <c>everyMinutes</c>, <c>smtp</c>, <c>alias</c>, <c>copyAccount</c> (an account
    /// name; default the first), <c>primary</c> (a source URI) with <c>primaryPasswordFile</c>/<c>primaryPasswordEnv</c>
    /// or the token keys <c>primaryTokenFile</c>/<c>primaryTokenCommand</c>/<c>primaryOauth2</c>, <c>smtpPasswordFile</c>
    /// (or <c>smtpPasswordEnv</c>, <c>smtpTokenFile</c>, <c>smtpTokenCommand</c>, <c>smtpOauth2</c>), <c>from</c>, <c>timeoutSeconds</c> (default 120), <c>cleanup</c> (the copy; default true),
    /// <c>cleanupPrimary</c> (the helpdesk's account, <c>primary</c> or else the copy account's own; default false).
    /// </summary>
    private static ProbeSchedule? ParseProbe(IConfigurationSection s, List<AccountSpec> accounts, string? caFile, bool insecure, string baseDirectory, ILogger? logger)
    {
        if (!s.Exists())
            return null;
        int every = Int(s, "everyMinutes", 0, 1, 100_000);
        if (every == 0)
            throw Error(KeyOf(s, "everyMinutes"), "is missing", "set how often watch sends a probe, e.g. 360 (every 6 hours).");
        SmtpEndpoint smtp = SmtpEndpoint.Parse(Required(s, "smtp", "smtp://host[:port] or smtps://host[:port]"), insecure);
        string alias = Required(s, "alias", "the alias address, e.g. support@example.co.jp");
        string? copyName = Optional(s, "copyAccount");
        AccountSpec copy = copyName is null ? accounts[0]
            : accounts.FirstOrDefault(a => a.Name == copyName) ?? throw Error(KeyOf(s, "copyAccount"), $"no account is named '{copyName}'", "use the name of one of the accounts.");
        string? primaryText = Optional(s, "primary");
        CertificateTrust trust = CertificateTrust.FromFile(caFile);
        var options = new AliasVerifyOptions(
            smtp,
            TokenConfigParser.ParseCredential(s, baseDirectory, "smtp", "the probe's SMTP sign-in", trust, logger),
            alias,
            Optional(s, "from"),
            copy.Endpoint,
            copy.Credentials,
            primaryText is null ? null : SourceUri.Parse(primaryText, insecure),
            primaryText is null ? null : TokenConfigParser.ParseCredential(s, baseDirectory, "primary", "the probe's primary", trust, logger),
            trust,
            TimeSpan.FromSeconds(Int(s, "timeoutSeconds", 120, 1, 3600)),
            Bool(s, "cleanup", true))
        {
            CleanupPrimary = Bool(s, "cleanupPrimary", false),
        };
        return new ProbeSchedule(options, TimeSpan.FromMinutes(every)) { ObservedPrimary = primaryText is null ? copy.Primary : null };
    }

    private static AccountSpec ParseAccount(IConfigurationSection s, string? defaultCa, bool globalInsecure, string baseDirectory, ILogger? logger)
    {
        string protocolText = Required(s, "protocol", "\"imap\" or \"pop3\"").ToLowerInvariant();
        MailProtocol protocol = protocolText switch
        {
            "imap" => MailProtocol.Imap,
            "pop3" => MailProtocol.Pop3,
            _ => throw Error(KeyOf(s, "protocol"), $"'{protocolText}' is not a protocol", "use \"imap\" or \"pop3\"."),
        };
        string host = Required(s, "host", "the server's host name");
        string tlsText = (Optional(s, "tls") ?? "implicit").ToLowerInvariant();
        TlsMode tls = tlsText switch
        {
            "implicit" => TlsMode.Implicit,
            "starttls" => TlsMode.StartTls,
            "none" => TlsMode.None,
            _ => throw Error(KeyOf(s, "tls"), $"'{tlsText}' is not a TLS mode", "use \"implicit\", \"starttls\" or \"none\"."),
        };
        bool insecure = Bool(s, "insecure", globalInsecure);
        if (tls == TlsMode.None && !insecure)
            throw Error(KeyOf(s, "tls"), "\"none\" sends the password unencrypted", "use \"implicit\" or \"starttls\", or set \"insecure\": true on this account if the network is trusted.");
        Protocols.EndpointCapabilities capabilities = Protocols.EndpointCapabilities.Of(protocol);
        int port = Int(s, "port", capabilities.DefaultPort(tls), 1, 65535);
        string user = Required(s, "user", "the login name");
        string name = Optional(s, "name") ?? $"{user}@{host}";

        if (Optional(s, "password") is not null)
            throw Error(KeyOf(s, "password"), "a password written in the configuration is not accepted", "put it in a file (chmod 600) and set \"passwordFile\", or set \"passwordEnv\" to the name of an environment variable.");
        string? ca = Resolve(Optional(s, "caFile"), baseDirectory) ?? defaultCa;
        CertificateTrust trust = CertificateTrust.FromFile(ca);
        Protocols.Credential credential = TokenConfigParser.ParseCredential(s, baseDirectory, string.Empty, "the account", trust, logger);
        if (credential is SourceCredentials { PasswordFile: null, PasswordEnvironmentVariable: null })
            throw Error(KeyOf(s, "passwordFile"), "the account has no password source", "set \"passwordFile\" (a file whose first line is the password) or \"passwordEnv\".");

        string[] mailboxes = s.GetSection("mailboxes").GetChildren().Select(c => c.Value ?? string.Empty).Where(v => v.Length > 0).ToArray();
        if (!capabilities.HasMailboxes && mailboxes.Length > 0)
            throw Error(KeyOf(s, "mailboxes"), "POP3 has no mailboxes", "remove \"mailboxes\" from this account.");
        if (capabilities.HasMailboxes && mailboxes.Length == 0)
            mailboxes = ["INBOX"];

        string policyText = Optional(s, "policy") ?? "keep";
        if (!ServerPolicy.TryParse(policyText, out ServerPolicy policy))
            throw Error(KeyOf(s, "policy"), $"'{policyText}' is not a server policy", "use \"keep\" (default), \"delete\" or \"delete-older-than:DAYS\".");

        var endpoint = new SourceEndpoint(protocol, host, port, tls, user, mailboxes);

        // "primary": the helpdesk's own account, in the same shape (protocol, host, port, tls, user, passwordFile or
        // passwordEnv, mailboxes, caFile); watch only reads it, so a "policy" there means nothing.
        IConfigurationSection primarySection = s.GetSection("primary");
        Primary.PrimarySpec? primary = null;
        if (primarySection.GetChildren().Any())
        {
            AccountSpec p = ParseAccount(primarySection, ca, globalInsecure, baseDirectory, logger);
            primary = new Primary.PrimarySpec(p.Endpoint, p.Credentials, p.Trust);
        }

        return new AccountSpec(name, endpoint, credential, trust, policy) { Primary = primary };
    }

    /// <summary>
    /// The MAILRECOVERY_ variables that override the file, keyed by configuration path (lower case, ':' between
    /// levels) with the variable's name as value. A name with <c>__</c> is always an override and is checked as
    /// strictly as the file. A bare name overrides a top-level key when it names one; the tool's other variables
    /// (MAILRECOVERY_PASSWORD, the pipe target's MAILRECOVERY_FILE, ...) are bare names that name none and are left
    /// alone, unless one is a single slip away from a top-level key (MAILRECOVERY_ARCHVE), which is an error.
    /// </summary>
    private static Dictionary<string, string> EnvironmentOverrides()
    {
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] topLevel = ConfigSchema.Root.Children!.Select(k => k.Name).ToArray();
        foreach (string name in Environment.GetEnvironmentVariables().Keys.OfType<string>()
                     .Where(n => n.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                     .Order(StringComparer.Ordinal))
        {
            string rest = name[EnvironmentPrefix.Length..];
            if (!rest.Contains("__", StringComparison.Ordinal) && !topLevel.Contains(rest, StringComparer.OrdinalIgnoreCase))
            {
                if (ConfigKeyChecker.Closest(rest, topLevel, 1) is { } near && !rest.Contains('_', StringComparison.Ordinal))
                    throw MailRecoveryException.Usage($"configuration: the environment variable {name} names no key; did you mean \"{near}\" ({EnvironmentPrefix}{near.ToUpperInvariant()})?", $"rename it to {EnvironmentPrefix}{near.ToUpperInvariant()}, or unset it.");
                continue;
            }

            overrides[rest.Replace("__", ":", StringComparison.Ordinal).ToLowerInvariant()] = name;
        }

        return overrides;
    }

    internal static string? Resolve(string? path, string baseDirectory) =>
        path is null ? null : Path.GetFullPath(path, baseDirectory);

    internal static string KeyOf(IConfigurationSection section, string key) =>
        ConfigKeyChecker.Display(section.Path + ":" + key);

    internal static string Required(IConfiguration c, string key, string what) =>
        Optional(c, key) ?? throw Error(c is IConfigurationSection s ? KeyOf(s, key) : key, "is missing", $"set it to {what}.");

    internal static string? Optional(IConfiguration c, string key)
    {
        string? value = c[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static bool Bool(IConfiguration c, string key, bool fallback)
    {
        string? text = Optional(c, key);
        if (text is null)
            return fallback;
        return bool.TryParse(text, out bool value)
            ? value
            : throw Error(c is IConfigurationSection s ? KeyOf(s, key) : ConfigKeyChecker.Display(key), $"'{text}' is not true or false", "write true or false.");
    }

    internal static int Int(IConfiguration c, string key, int fallback, int min, int max)
    {
        string? text = Optional(c, key);
        if (text is null)
            return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw Error(c is IConfigurationSection s ? KeyOf(s, key) : ConfigKeyChecker.Display(key), $"'{text}' is not a whole number from {min} to {max}", $"write a whole number from {min} to {max}.");
    }

    internal static MailRecoveryException Error(string key, string problem, string fix) =>
        MailRecoveryException.Usage($"configuration: {key}: {problem}.", fix);
}
