using MailRecovery.Core.Configuration;
using MailRecovery.Core.Probe;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Configuration;

/// <summary><c>probe.cleanupPrimary</c>, and the copy account's own primary as the one scheduled probes watch.</summary>
[Collection(ConfigLoaderEnvironmentTests.Collection)]
public sealed class ProbeCleanupConfigTests
{
    private const string Probe = """ "everyMinutes": 60, "smtp": "smtp://mx.example.test:25", "alias": "support@example.test" """;
    private const string Copy = """
        "name": "copy", "protocol": "imap", "host": "mx.example.test", "user": "safety", "passwordEnv": "P",
        "primary": { "protocol": "pop3", "host": "mx.example.test", "user": "helpdesk", "passwordEnv": "Q" }
        """;

    [Fact]
    public void The_helpdesk_account_is_left_alone_unless_cleanupPrimary_is_set()
    {
        using var dir = new TempDirectory();
        ProbeSchedule off = Load(dir, $$"""{ "archive": "a", "accounts": [ { {{Copy}} } ], "probe": { {{Probe}} } }""");
        ProbeSchedule on = Load(dir, $$"""{ "archive": "a", "accounts": [ { {{Copy}} } ], "probe": { {{Probe}}, "cleanupPrimary": true } }""");

        Assert.True(off.Effective.Cleanup); // the copy, as before
        Assert.False(off.Effective.CleanupPrimary);
        Assert.True(on.Effective.CleanupPrimary);
    }

    [Fact]
    public void Without_probe_primary_scheduled_probes_watch_the_copy_accounts_own_primary()
    {
        using var dir = new TempDirectory();
        ProbeSchedule own = Load(dir, $$"""{ "archive": "a", "accounts": [ { {{Copy}} } ], "probe": { {{Probe}} } }""");
        ProbeSchedule named = Load(dir, $$"""{ "archive": "a", "accounts": [ { {{Copy}} } ], "probe": { {{Probe}}, "primary": "imaps://desk@mx.example.test/INBOX", "primaryPasswordEnv": "R" } }""");

        Assert.Null(own.Options.Primary); // config check and alias verify still tell probe.primary from the account's primary
        Assert.Equal("pop3://helpdesk@mx.example.test:995", own.Effective.Primary!.AccountKey);
        Assert.Equal("Q", Assert.IsType<MailRecovery.Core.Sources.SourceCredentials>(own.Effective.PrimaryCredentials).PasswordEnvironmentVariable);
        Assert.Equal("desk", named.Effective.Primary!.User);
    }

    private static ProbeSchedule Load(TempDirectory dir, string json)
    {
        string path = Path.Combine(dir.Path, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return ConfigLoader.Load(path).Probe!;
    }
}
