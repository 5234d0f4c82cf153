using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Configuration;

/// <summary>
/// In the "environment" collection because ConfigLoader reads MAILRECOVERY_* variables, which
/// <see cref="ConfigLoaderEnvironmentTests"/> sets: the two must not run at the same time.
/// </summary>
[Collection(ConfigLoaderEnvironmentTests.Collection)]
public sealed class ConfigLoaderTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void The_replay_target_takes_its_own_settings_else_the_top_level_ca()
    {
        const string Accounts = """ "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P" } ] """;
        Directory.CreateDirectory(dir.Sub("ca"));
        using (var key = System.Security.Cryptography.ECDsa.Create())
        using (var cert = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=private-ca", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1)))
            File.WriteAllText(dir.Sub("ca/private.pem"), cert.ExportCertificatePem()); // accounts load their CA at once
        MailRecoveryConfig none = ConfigLoader.Load(Write($$"""{ "archive": "a", "caFile": "ca/private.pem", {{Accounts}} }"""));
        MailRecoveryConfig own = ConfigLoader.Load(Write($$"""
            { "archive": "a", "caFile": "ca/private.pem", {{Accounts}},
              "replay": { "passwordFile": "helpdesk.pw", "caFile": "ca/helpdesk.pem", "insecure": true } }
            """));
        MailRecoveryConfig env = ConfigLoader.Load(Write($$"""{ "archive": "a", {{Accounts}}, "replay": { "passwordEnv": "HELPDESK_PW" } }"""));

        Assert.Equal(new ReplayTargetSettings(null, null, dir.Sub("ca/private.pem"), false), none.Replay);
        Assert.Equal(new ReplayTargetSettings(dir.Sub("helpdesk.pw"), null, dir.Sub("ca/helpdesk.pem"), true), own.Replay);
        Assert.Equal(new ReplayTargetSettings(null, "HELPDESK_PW", null, false), env.Replay);
        var e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(Write($$"""{ "archive": "a", {{Accounts}}, "replay": { "password": "x" } }""")));
        Assert.Contains("replay.password", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_configuration_loads_with_defaults_filled_in()
    {
        string path = Write("""
            {
              "archive": "archive",
              "accounts": [
                { "name": "support", "protocol": "imap", "host": "imap.example.test", "user": "support",
                  "passwordFile": "secrets/support.pw", "policy": "delete-older-than:30" },
                { "protocol": "POP3", "host": "pop.example.test", "user": "legacy", "tls": "starttls",
                  "passwordEnv": "LEGACY_PASSWORD" }
              ]
            }
            """);

        MailRecoveryConfig config = ConfigLoader.Load(path);

        Assert.Equal(dir.Sub("archive"), config.Archive);
        Assert.Equal(TimeSpan.FromSeconds(60), config.PollInterval);
        Assert.Equal(2, config.Accounts.Count);

        AccountSpec imap = config.Accounts[0];
        Assert.Equal("support", imap.Name);
        Assert.Equal(new SourceEndpoint(MailProtocol.Imap, "imap.example.test", 993, TlsMode.Implicit, "support", imap.Endpoint.Mailboxes), imap.Endpoint);
        Assert.Equal(["INBOX"], imap.Endpoint.Mailboxes);
        Assert.Equal(new SourceCredentials(Path.Combine(dir.Path, "secrets", "support.pw"), null), imap.Credentials);
        Assert.Equal(new ServerPolicy(ServerPolicyMode.DeleteOlderThan, 30), imap.Policy);

        AccountSpec pop3 = config.Accounts[1];
        Assert.Equal("legacy@pop.example.test", pop3.Name);
        Assert.Equal(MailProtocol.Pop3, pop3.Endpoint.Protocol);
        Assert.Equal(110, pop3.Endpoint.Port);
        Assert.Equal(TlsMode.StartTls, pop3.Endpoint.Tls);
        Assert.Empty(pop3.Endpoint.Mailboxes);
        Assert.Equal(new SourceCredentials(null, "LEGACY_PASSWORD"), pop3.Credentials);
        Assert.Equal(ServerPolicy.Keep, pop3.Policy);
    }

    [Fact]
    public void An_account_primary_entry_has_the_shape_of_an_account_and_status_takes_max_waiting_minutes()
    {
        string path = Write("""
            {
              "archive": "archive",
              "status": { "maxWaitingMinutes": 45 },
              "accounts": [
                { "protocol": "imap", "host": "imap.example.test", "user": "safety", "passwordFile": "safety.pw",
                  "primary": { "protocol": "pop3", "host": "pop.example.test", "user": "helpdesk", "passwordFile": "helpdesk.pw" } },
                { "protocol": "imap", "host": "imap.example.test", "user": "other", "passwordEnv": "P" }
              ]
            }
            """);

        MailRecoveryConfig config = ConfigLoader.Load(path);

        Core.Primary.PrimarySpec primary = config.Accounts[0].Primary!;
        Assert.Equal(new SourceEndpoint(MailProtocol.Pop3, "pop.example.test", 995, TlsMode.Implicit, "helpdesk", primary.Endpoint.Mailboxes), primary.Endpoint);
        Assert.Equal(new SourceCredentials(dir.Sub("helpdesk.pw"), null), primary.Credentials);
        Assert.Equal("pop3://helpdesk@pop.example.test:995", primary.Key);
        Assert.Null(config.Accounts[1].Primary);
        Assert.Equal(TimeSpan.FromMinutes(45), config.MaxWaiting);
    }

    [Fact]
    public void A_primary_entry_without_a_password_source_is_refused_by_its_key()
    {
        string path = Write("""
            { "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P",
              "primary": { "protocol": "imap", "host": "h", "user": "helpdesk" } } ] }
            """);

        var e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(path));
        Assert.Contains("accounts[0].primary.passwordFile", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("imap", "implicit", 993)]
    [InlineData("imap", "starttls", 143)]
    [InlineData("imap", "none", 143)]
    [InlineData("pop3", "implicit", 995)]
    [InlineData("pop3", "starttls", 110)]
    [InlineData("pop3", "none", 110)]
    public void The_default_port_follows_protocol_and_TLS_mode(string protocol, string tls, int port)
    {
        string path = Write($$"""
            { "archive": "/srv/archive", "insecure": true,
              "accounts": [ { "protocol": "{{protocol}}", "tls": "{{tls}}", "host": "h", "user": "u", "passwordEnv": "P" } ] }
            """);

        SourceEndpoint endpoint = ConfigLoader.Load(path).Accounts[0].Endpoint;

        Assert.Equal(port, endpoint.Port);
        Assert.Equal("/srv/archive", ConfigLoader.Load(path).Archive);
    }

    [Fact]
    public void Explicit_port_mailboxes_and_poll_interval_are_kept()
    {
        string path = Write("""
            { "archive": "a", "watch": { "pollSeconds": 15 },
              "accounts": [ { "protocol": "imap", "host": "h", "port": 10993, "user": "u", "passwordEnv": "P",
                              "mailboxes": [ "INBOX", "Support/Archive" ] } ] }
            """);

        MailRecoveryConfig config = ConfigLoader.Load(path);

        Assert.Equal(10993, config.Accounts[0].Endpoint.Port);
        Assert.Equal(["INBOX", "Support/Archive"], config.Accounts[0].Endpoint.Mailboxes);
        Assert.Equal(TimeSpan.FromSeconds(15), config.PollInterval);
    }

    public static TheoryData<string, string, string> Invalid() => new()
    {
        { "missing archive", """{ "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P" } ] }""", "archive: is missing" },
        { "no accounts", """{ "archive": "a" }""", "accounts: no account" },
        { "empty accounts", """{ "archive": "a", "accounts": [] }""", "accounts: no account" },
        { "bad protocol", """{ "archive": "a", "accounts": [ { "protocol": "smtp", "host": "h", "user": "u", "passwordEnv": "P" } ] }""", "accounts[0].protocol" },
        { "missing host", """{ "archive": "a", "accounts": [ { "protocol": "imap", "user": "u", "passwordEnv": "P" } ] }""", "accounts[0].host: is missing" },
        { "missing user", """{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "passwordEnv": "P" } ] }""", "accounts[0].user: is missing" },
        { "bad tls", """{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "tls": "ssl", "user": "u", "passwordEnv": "P" } ] }""", "accounts[0].tls" },
        { "tls none without insecure", """{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "tls": "none", "user": "u", "passwordEnv": "P" } ] }""", "accounts[0].tls" },
        { "password inline", """{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "password": "hunter2" } ] }""", "accounts[0].password" },
        { "no password source", """{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "user": "u" } ] }""", "accounts[0].passwordFile" },
        { "duplicate names", """{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P" }, { "protocol": "pop3", "host": "h", "user": "u", "passwordEnv": "P" } ] }""", "accounts[1].name" },
        { "port 0", """{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "port": 0, "user": "u", "passwordEnv": "P" } ] }""", "accounts[0].port" },
        { "port 65536", """{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "port": 65536, "user": "u", "passwordEnv": "P" } ] }""", "accounts[0].port" },
        { "port not a number", """{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "port": "imaps", "user": "u", "passwordEnv": "P" } ] }""", "accounts[0].port" },
        { "bad policy", """{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P", "policy": "purge" } ] }""", "accounts[0].policy" },
        { "pop3 mailboxes", """{ "archive": "a", "accounts": [ { "protocol": "pop3", "host": "h", "user": "u", "passwordEnv": "P", "mailboxes": [ "INBOX" ] } ] }""", "accounts[0].mailboxes" },
        { "bad insecure", """{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P", "insecure": "yes" } ] }""", "accounts[0].insecure" },
        { "bad poll interval", """{ "archive": "a", "watch": { "pollSeconds": 0 }, "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P" } ] }""", "watch.pollSeconds" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Each_validation_error_names_the_key_and_the_fix(string what, string json, string expected)
    {
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(Write(json)));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{what}: '{e.Message}' does not name '{expected}'");
        Assert.False(string.IsNullOrWhiteSpace(e.Fix), what);
    }

    [Fact]
    public void An_inline_password_is_not_echoed_in_the_error()
    {
        string path = Write("""{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "password": "hunter2" } ] }""");

        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(path));

        Assert.DoesNotContain("hunter2", e.UserText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "archive": "a", "accounts": [ """)]
    [InlineData("""{ "archive": "a" "accounts": [] }""")]
    [InlineData("archive = a")]
    public void Invalid_JSON_is_a_usage_error(string json)
    {
        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(Write(json)));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Fix);
    }

    [Fact]
    public void A_missing_file_is_a_usage_error()
    {
        string path = dir.Sub("absent.json");

        MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(path));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Fix);
    }

    private string Write(string json)
    {
        string path = dir.Sub("mailrecovery.json");
        File.WriteAllText(path, json);
        return path;
    }
}
