using System.Text.Json;
using MailRecovery.Core.Configuration;
using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Configuration;

/// <summary>contrib/config.example.json, which the package installs as the starting point of /etc/mailrecovery/config.json.</summary>
[Collection(ConfigLoaderEnvironmentTests.Collection)]
public sealed class ConfigExampleTests
{
    private static readonly string Contrib = Path.Combine(TestBedFixture.RepoRoot, "contrib");

    [Fact]
    public void The_example_loads_as_strictly_as_a_real_configuration()
    {
        MailRecoveryConfig config = ConfigLoader.Load(Path.Combine(Contrib, "config.example.json"));
        Assert.Equal("/var/lib/mailrecovery/archive", config.Archive);
        Assert.NotNull(config.Probe);
        Assert.Equal(Core.Alerts.WebhookFormat.Ntfy, config.Alerts?.Webhook?.Format);
        Assert.Equal(["admin@example.com"], config.Alerts?.Mail?.To);
    }

    /// <summary>JSON has no comments: every key of the example is explained in contrib/README.md instead.</summary>
    [Fact]
    public void Every_key_of_the_example_is_explained_in_the_contrib_readme()
    {
        string readme = File.ReadAllText(Path.Combine(Contrib, "README.md"));
        using JsonDocument example = JsonDocument.Parse(File.ReadAllText(Path.Combine(Contrib, "config.example.json")));
        var missing = Keys(example.RootElement).Where(k => !readme.Contains($"`{k}`", StringComparison.Ordinal)
            && !readme.Contains($"`.{k}`", StringComparison.Ordinal) && !readme.Contains($"`probe.{k}`", StringComparison.Ordinal)
            && !readme.Contains($"`watch.{k}`", StringComparison.Ordinal) && !readme.Contains($"`status.{k}`", StringComparison.Ordinal) && !readme.Contains($"`snapshots.{k}`", StringComparison.Ordinal)
            && !readme.Contains($"`alerts.{k}`", StringComparison.Ordinal) && !readme.Contains($"`alerts.webhook.{k}`", StringComparison.Ordinal)
            && !readme.Contains($"`alerts.mail.{k}`", StringComparison.Ordinal)
            && !readme.Contains($"`prune.{k}`", StringComparison.Ordinal)).ToList();
        Assert.Empty(missing);
    }

    private static IEnumerable<string> Keys(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Keys(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Keys),
        _ => [],
    };
}
