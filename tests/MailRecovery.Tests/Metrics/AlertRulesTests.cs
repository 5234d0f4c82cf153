using MailRecovery.Tests.TestBed;

namespace MailRecovery.Tests.Metrics;

/// <summary>contrib/prometheus/mailrecovery-rules.yml, the minimal alert rules docs/monitoring.md shows.</summary>
public sealed class AlertRulesTests
{
    private static readonly string Dir = Path.Combine(TestBedFixture.RepoRoot, "contrib", "prometheus");

    [Fact]
    public async Task The_shipped_rules_pass_promtool_check_rules()
    {
        (int code, string output) = await Exposition.PromtoolAsync(null, "check", "rules", Path.Combine(Dir, "mailrecovery-rules.yml"));
        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 3 rules found", output, StringComparison.Ordinal);
    }

    /// <summary>The rules fire when they should and not before (stopped passes, watch down, a broken alias).</summary>
    [Fact]
    public async Task The_shipped_rules_pass_their_promtool_unit_tests()
    {
        (int code, string output) = await Exposition.PromtoolAsync(null, "test", "rules", Path.Combine(Dir, "mailrecovery-rules.test.yml"));
        Assert.True(code == 0, output);
    }
}
