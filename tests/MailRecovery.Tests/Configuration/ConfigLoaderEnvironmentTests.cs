using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Configuration;

/// <summary>
/// ConfigLoader with MAILRECOVERY_* environment overrides. The variables are process-wide, so every test that
/// sets one, and every test that loads a configuration, is in this one collection and runs alone.
/// </summary>
[Collection(Collection)]
public sealed class ConfigLoaderEnvironmentTests : IDisposable
{
    public const string Collection = "environment";
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void An_environment_variable_overrides_the_file()
    {
        string path = Write("""{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "from-file.example.test", "user": "u", "passwordEnv": "P" } ] }""");

        WithVariable("MAILRECOVERY_ACCOUNTS__0__HOST", "from-env.example.test", () =>
            Assert.Equal("from-env.example.test", ConfigLoader.Load(path).Accounts[0].Endpoint.Host));
        Assert.Equal("from-file.example.test", ConfigLoader.Load(path).Accounts[0].Endpoint.Host);
    }

    [Fact]
    public void An_environment_variable_can_supply_a_missing_key()
    {
        string path = Write("""{ "accounts": [ { "protocol": "pop3", "host": "h", "user": "u", "passwordEnv": "P" } ] }""");

        WithVariable("MAILRECOVERY_ARCHIVE", "/srv/mail/archive", () =>
            Assert.Equal("/srv/mail/archive", ConfigLoader.Load(path).Archive));
    }

    [Fact]
    public void An_invalid_override_is_reported_under_its_key()
    {
        string path = Write("""{ "archive": "a", "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P" } ] }""");

        WithVariable("MAILRECOVERY_ACCOUNTS__0__PORT", "99999", () =>
        {
            MailRecoveryException e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(path));
            Assert.Contains("accounts[0].port", e.Message, StringComparison.OrdinalIgnoreCase);
        });
    }

    private static void WithVariable(string name, string value, Action test)
    {
        string? before = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        try
        {
            test();
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, before);
        }
    }

    private string Write(string json)
    {
        string path = dir.Sub("mailrecovery.json");
        File.WriteAllText(path, json);
        return path;
    }
}
