using MailRecovery.Core.Protocols;

namespace MailRecovery.Tests.Protocols;

/// <summary>The table of providers' connection limits, the per-host override, and replay's lanes.</summary>
public sealed class ProviderConnectionCapsTests
{
    private static readonly Dictionary<string, int> None = new(StringComparer.OrdinalIgnoreCase);

    [Theory]
    [InlineData("imap.gmail.com", "Gmail", 15)]
    [InlineData("POP.GMAIL.COM.", "Gmail", 15)]
    [InlineData("outlook.office365.com", "Exchange Online", 16)]
    [InlineData("imap-mail.outlook.com", "Exchange Online", 16)]
    [InlineData("smtp.office365.com", "Exchange Online (SMTP)", 3)]
    [InlineData("smtp.gmail.com", "Gmail (SMTP)", 4)]
    public void Known_hosts_have_their_providers_per_mailbox_limit(string host, string provider, int perMailbox)
    {
        KnownProvider? found = ProviderConnectionCaps.Find(host);

        Assert.NotNull(found);
        Assert.Equal(provider, found.Name);
        Assert.Equal(perMailbox, ProviderConnectionCaps.PerMailbox(host).Cap);
    }

    [Fact]
    public void An_unknown_host_gets_the_configured_cap_and_dovecots_per_user_default()
    {
        Assert.Null(ProviderConnectionCaps.Find("mail.example.com"));
        Assert.Null(ProviderConnectionCaps.Find("gmail.com.evil.example")); // matched exactly, not by suffix
        Assert.Equal((16, "watch.maxConnectionsPerServer"), ProviderConnectionCaps.PerServer("mail.example.com", 16, None));
        Assert.Equal(10, ProviderConnectionCaps.PerMailbox("mail.example.com").Cap);
    }

    [Fact]
    public void A_known_provider_lowers_the_configured_cap_but_never_raises_it()
    {
        (int cap, string why) = ProviderConnectionCaps.PerServer("outlook.office365.com", 16, None);
        Assert.Equal(8, cap);
        Assert.StartsWith("Exchange Online", why, StringComparison.Ordinal);

        Assert.Equal(4, ProviderConnectionCaps.PerServer("outlook.office365.com", 4, None).Cap);
        Assert.Equal(16, ProviderConnectionCaps.PerServer("imap.gmail.com", 64, None).Cap);
    }

    [Fact]
    public void The_override_for_a_host_wins_over_the_table_and_the_configured_cap()
    {
        var caps = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["outlook.office365.com"] = 30, ["mail.example.com"] = 2 };

        Assert.Equal((30, "watch.connectionCaps[\"outlook.office365.com\"]"), ProviderConnectionCaps.PerServer("outlook.office365.com", 16, caps));
        Assert.Equal(2, ProviderConnectionCaps.PerServer("MAIL.example.com.", 16, caps).Cap);
        Assert.Equal(16, ProviderConnectionCaps.PerServer("other.example.com", 16, caps).Cap);
    }

    [Fact]
    public void Replay_lanes_are_clamped_to_a_known_providers_per_mailbox_limit_with_a_notice()
    {
        (int lanes, string? notice) = ProviderConnectionCaps.ClampLanes("smtp://helpdesk%40contoso.com@smtp.office365.com:587", 8);
        Assert.Equal(3, lanes);
        Assert.Equal("connections: 3, not 8 (Exchange Online (SMTP): 3 sending connections per mailbox (\"432 4.3.2 sender thread limit exceeded\" beyond))", notice);

        Assert.Equal((2, null), ProviderConnectionCaps.ClampLanes("smtp://smtp.office365.com:587", 2)); // under the limit: as asked
        Assert.Equal((8, null), ProviderConnectionCaps.ClampLanes("smtp://mail.example.com:25", 8)); // unknown: as asked
        Assert.Equal((8, null), ProviderConnectionCaps.ClampLanes("not a uri", 8));
    }
}
