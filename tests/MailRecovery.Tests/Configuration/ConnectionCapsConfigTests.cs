using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Configuration;

/// <summary><c>watch.connectionCaps</c>: per host name, the most passes at once (a section whose keys the user names).</summary>
[Collection(ConfigLoaderEnvironmentTests.Collection)]
public sealed class ConnectionCapsConfigTests : IDisposable
{
    private const string Accounts = """ "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P" } ] """;
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Caps_are_read_per_host_without_regard_to_case_and_empty_when_not_set()
    {
        MailRecoveryConfig config = ConfigLoader.Load(Write($$"""{ "archive": "a", {{Accounts}}, "watch": { "connectionCaps": { "imap.example.com": 4, "IMAP.Gmail.com.": 2 } } }"""));

        Assert.Equal(4, config.ConnectionCaps["IMAP.EXAMPLE.COM"]);
        Assert.Equal(2, config.ConnectionCaps["imap.gmail.com"]);
        Assert.Empty(ConfigLoader.Load(Write($$"""{ "archive": "a", {{Accounts}} }""")).ConnectionCaps);
    }

    [Theory]
    [InlineData("""{ "imap.example.com": 0 }""", "watch.connectionCaps.imap.example.com")]
    [InlineData("""{ "imap.example.com": "many" }""", "watch.connectionCaps.imap.example.com")]
    [InlineData("""{ "imap.example.com": { "perServer": 4 } }""", "connectionCaps")]
    [InlineData("4", "connectionCaps")]
    public void A_cap_that_is_not_a_whole_number_in_range_is_a_usage_error_naming_the_key(string caps, string named)
    {
        var e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(Write($$"""{ "archive": "a", {{Accounts}}, "watch": { "connectionCaps": {{caps}} } }""")));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    private string Write(string json)
    {
        string path = dir.Sub("mailrecovery.json");
        File.WriteAllText(path, json);
        return path;
    }
}
