using MailRecovery.Core.Fetch;
using MailRecovery.Core.Sources;

namespace MailRecovery.Tests.Fetch;

/// <summary>The caps watch works out at start: per server, per mailbox, and what it logs about them.</summary>
public sealed class WatchConnectionPlanTests
{
    private static AccountSpec Account(string name, string host, string user, MailProtocol protocol = MailProtocol.Imap) =>
        new(name, new SourceEndpoint(protocol, host, protocol == MailProtocol.Imap ? 993 : 995, TlsMode.Implicit, user, ["INBOX"]), new SourceCredentials(null, "P"), CertificateTrust.System, ServerPolicy.Keep);

    [Fact]
    public void Each_server_gets_its_providers_cap_the_override_or_the_configured_one_and_the_log_says_why()
    {
        AccountSpec[] accounts = [Account("a", "imap.gmail.com", "a@x.org"), Account("b", "outlook.office365.com", "b@x.org"), Account("c", "mail.example.com", "c"), Account("d", "mail.example.com", "d")];
        var options = new WatchOptions { MaxConnectionsPerServer = 12, ConnectionCaps = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["imap.gmail.com"] = 3 } };

        WatchConnectionPlan plan = WatchConnectionPlan.For(accounts, options);

        Assert.Equal(3, plan.ServerCap("imap.gmail.com:993"));
        Assert.Equal(8, plan.ServerCap("outlook.office365.com:993"));
        Assert.Equal(12, plan.ServerCap("mail.example.com:993"));
        Assert.Equal(3, plan.Lines.Count);
        Assert.Contains(plan.Lines, l => l.StartsWith("imap.gmail.com:993: 1 account(s); at most 3 pass(es) at once (watch.connectionCaps[\"imap.gmail.com\"]); at most 15 connections per mailbox (Gmail", StringComparison.Ordinal));
        Assert.Contains(plan.Lines, l => l.StartsWith("mail.example.com:993: 2 account(s); at most 12 pass(es) at once (watch.maxConnectionsPerServer); at most 10 connections per mailbox (unknown server", StringComparison.Ordinal));
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void Accounts_sharing_a_mailbox_leave_its_passes_what_their_idle_connections_leave_of_the_limit()
    {
        // Gmail allows 15 per account: 4 accounts on one login keep 4 IDLE connections, so 11 passes at once.
        AccountSpec[] shared = [.. Enumerable.Range(0, 4).Select(i => Account($"s{i}", "imap.gmail.com", "desk@x.org"))];
        WatchConnectionPlan plan = WatchConnectionPlan.For([.. shared, Account("o", "imap.gmail.com", "other@x.org")], new WatchOptions());

        Assert.Equal(11, plan.MailboxCap("desk@x.org@imap.gmail.com:993"));
        Assert.Equal(14, plan.MailboxCap("other@x.org@imap.gmail.com:993"));
        Assert.Equal(15, WatchConnectionPlan.For(shared, new WatchOptions { UseIdle = false }).MailboxCap("desk@x.org@imap.gmail.com:993")); // no IDLE held
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void Idle_connections_alone_beyond_the_mailbox_limit_are_warned_about_and_passes_still_get_one_slot()
    {
        AccountSpec[] shared = [.. Enumerable.Range(0, 15).Select(i => Account($"s{i}", "imap.gmail.com", "desk@x.org"))];

        WatchConnectionPlan plan = WatchConnectionPlan.For(shared, new WatchOptions());

        Assert.Equal(1, plan.MailboxCap("desk@x.org@imap.gmail.com:993"));
        string warning = Assert.Single(plan.Warnings);
        Assert.Contains("15 accounts sign in as this user", warning, StringComparison.Ordinal);
        Assert.Contains("one account with several mailboxes", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Pop3_accounts_hold_no_idle_connection()
    {
        AccountSpec[] shared = [.. Enumerable.Range(0, 12).Select(i => Account($"p{i}", "mail.example.com", "desk", MailProtocol.Pop3))];

        WatchConnectionPlan plan = WatchConnectionPlan.For(shared, new WatchOptions());

        Assert.Equal(10, plan.MailboxCap("desk@mail.example.com:995"));
        Assert.Empty(plan.Warnings);
    }
}
