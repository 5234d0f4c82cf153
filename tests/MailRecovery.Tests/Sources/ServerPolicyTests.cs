using MailRecovery.Core.Sources;

namespace MailRecovery.Tests.Sources;

public sealed class ServerPolicyTests
{
    [Theory]
    [InlineData(null, ServerPolicyMode.Keep, 0)]
    [InlineData("", ServerPolicyMode.Keep, 0)]
    [InlineData("keep", ServerPolicyMode.Keep, 0)]
    [InlineData(" KEEP ", ServerPolicyMode.Keep, 0)]
    [InlineData("delete", ServerPolicyMode.Delete, 0)]
    [InlineData("Delete", ServerPolicyMode.Delete, 0)]
    [InlineData("delete-older-than:30", ServerPolicyMode.DeleteOlderThan, 30)]
    [InlineData("delete-older-than:0", ServerPolicyMode.DeleteOlderThan, 0)]
    public void Known_policies_parse(string? text, ServerPolicyMode mode, int days)
    {
        Assert.True(ServerPolicy.TryParse(text, out ServerPolicy policy));

        Assert.Equal(new ServerPolicy(mode, days), policy);
    }

    [Theory]
    [InlineData("remove")]
    [InlineData("delete-older-than:")]
    [InlineData("delete-older-than:-1")]
    [InlineData("delete-older-than:ten")]
    [InlineData("delete-older-than:99999999999")]
    [InlineData("delete-older-than 30")]
    public void Anything_else_is_refused_and_leaves_keep(string text)
    {
        Assert.False(ServerPolicy.TryParse(text, out ServerPolicy policy));

        Assert.Equal(ServerPolicy.Keep, policy);
    }

    [Theory]
    [InlineData("keep")]
    [InlineData("delete")]
    [InlineData("delete-older-than:7")]
    public void ToString_round_trips(string text)
    {
        Assert.True(ServerPolicy.TryParse(text, out ServerPolicy policy));

        Assert.Equal(text, policy.ToString());
    }
}
