using MailRecovery.Core.Replay;

namespace MailRecovery.Tests.Replay;

/// <summary>Replay's default pace for Exchange Online (30 messages a minute per mailbox), and none elsewhere.</summary>
public sealed class ProviderRatesTests
{
    [Theory]
    [InlineData("smtp://helpdesk%40example.com@smtp.office365.com:587")]
    [InlineData("imaps://helpdesk%40example.com@outlook.office365.com/INBOX")]
    [InlineData("smtp://contoso-com.mail.protection.outlook.com")]
    public void Exchange_Online_targets_default_to_30_messages_a_minute(string target) =>
        Assert.Equal(0.5, ProviderRates.DefaultFor(target));

    [Theory]
    [InlineData("smtp://mail.example.org:587")]
    [InlineData("lmtp://127.0.0.1:24")]
    [InlineData("maildir:/srv/restore")]
    public void Other_targets_have_no_default(string target) => Assert.Null(ProviderRates.DefaultFor(target));
}
