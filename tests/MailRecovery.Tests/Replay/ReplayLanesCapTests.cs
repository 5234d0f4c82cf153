using MailRecovery.Core.Replay;

namespace MailRecovery.Tests.Replay;

/// <summary>Replay's SMTP lanes all sign in as the one target mailbox: a known provider's per-mailbox limit caps them.</summary>
public sealed class ReplayLanesCapTests
{
    [Theory]
    [InlineData("smtp://helpdesk%40contoso.com@smtp.office365.com:587", 8, 3)]
    [InlineData("smtp://desk%40example.org@smtp.gmail.com:587", 8, 4)]
    [InlineData("smtp://smtp.office365.com:587", 2, 2)]
    [InlineData("smtp://127.0.0.1:2525", 8, 8)]
    public async Task The_smtp_target_delivers_on_no_more_lanes_than_the_target_mailbox_allows(string to, int asked, int lanes)
    {
        var options = new ReplayTargetOptions(null, null, false, ["desk@example.org"], null, false, false) { Connections = asked };
        await using IReplayTarget target = ReplayTargetFactory.Create(to, options, TimeProvider.System);

        Assert.Equal(lanes, target.MaxParallelDeliveries);
    }
}
