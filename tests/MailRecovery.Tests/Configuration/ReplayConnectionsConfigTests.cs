using MailRecovery.Core.Configuration;
using MailRecovery.Core.Errors;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Configuration;

/// <summary><c>replay.connections</c>: the SMTP sessions a replay delivers on at once (<c>--connections</c> wins).</summary>
[Collection(ConfigLoaderEnvironmentTests.Collection)]
public sealed class ReplayConnectionsConfigTests : IDisposable
{
    private const string Accounts = """ "accounts": [ { "protocol": "imap", "host": "h", "user": "u", "passwordEnv": "P" } ] """;
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Connections_is_read_when_set_and_null_when_not()
    {
        Assert.Equal(8, ConfigLoader.Load(Write($$"""{ "archive": "a", {{Accounts}}, "replay": { "connections": 8 } }""")).Replay!.Connections);
        Assert.Null(ConfigLoader.Load(Write($$"""{ "archive": "a", {{Accounts}}, "replay": { "insecure": false } }""")).Replay!.Connections);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("51")]
    [InlineData("\"many\"")]
    public void Connections_out_of_range_is_a_usage_error_naming_the_key(string value)
    {
        var e = Assert.Throws<MailRecoveryException>(() => ConfigLoader.Load(Write($$"""{ "archive": "a", {{Accounts}}, "replay": { "connections": {{value}} } }""")));

        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Contains("replay.connections", e.Message, StringComparison.Ordinal);
    }

    private string Write(string json)
    {
        string path = dir.Sub("mailrecovery.json");
        File.WriteAllText(path, json);
        return path;
    }
}
