using MailRecovery.Core.Protocols;

namespace MailRecovery.Core.Fetch;

/// <summary>
/// The caps watch applies, worked out once at start from its accounts: per server (host and port) the most passes
/// at once (<see cref="ProviderConnectionCaps.PerServer"/>), and per mailbox (host, port and user) the most passes at
/// once that keep the mailbox under its provider's per-user limit beside the IDLE connections its accounts hold.
/// Several accounts can share one mailbox (one login, different folders); each keeps an IDLE connection open, which
/// no slot counts, so the passes of that mailbox get what is left of the provider's limit (at least one).
/// </summary>
internal sealed class WatchConnectionPlan
{
    private readonly Dictionary<string, int> serverCaps = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> mailboxCaps = new(StringComparer.OrdinalIgnoreCase);

    private WatchConnectionPlan()
    {
    }

    /// <summary>One line per server for the start-up log: which caps apply and why.</summary>
    public List<string> Lines { get; } = [];

    /// <summary>One line per mailbox whose accounts' IDLE connections alone reach its provider's limit.</summary>
    public List<string> Warnings { get; } = [];

    public static string ServerKey(AccountSpec account) => $"{account.Endpoint.Host}:{account.Endpoint.Port}";

    public static string MailboxKey(AccountSpec account) => $"{account.Endpoint.User}@{ServerKey(account)}";

    public static WatchConnectionPlan For(IReadOnlyList<AccountSpec> accounts, WatchOptions options)
    {
        var plan = new WatchConnectionPlan();
        int configured = Math.Max(1, options.MaxConnectionsPerServer);
        foreach (IGrouping<string, AccountSpec> server in accounts.GroupBy(ServerKey, StringComparer.OrdinalIgnoreCase))
        {
            string host = server.First().Endpoint.Host;
            (int cap, string why) = ProviderConnectionCaps.PerServer(host, configured, options.ConnectionCaps);
            (int perMailbox, string mailboxWhy) = ProviderConnectionCaps.PerMailbox(host);
            plan.serverCaps[server.Key] = cap;
            plan.Lines.Add($"{server.Key}: {server.Count()} account(s); at most {cap} pass(es) at once ({why}); at most {perMailbox} connections per mailbox ({mailboxWhy}).");
            foreach (IGrouping<string, AccountSpec> mailbox in server.GroupBy(MailboxKey, StringComparer.OrdinalIgnoreCase))
            {
                int idle = mailbox.Count(a => options.UseIdle && a.Endpoint.Capabilities.CanPush);
                plan.mailboxCaps[mailbox.Key] = Math.Max(1, perMailbox - idle);
                if (idle + 1 > perMailbox)
                {
                    plan.Warnings.Add($"{mailbox.Key}: {mailbox.Count()} accounts sign in as this user and keep {idle} IDLE connection(s), beyond the {perMailbox} per mailbox ({mailboxWhy}); "
                        + "the server may refuse logins. Make them one account with several mailboxes.");
                }
            }
        }

        return plan;
    }

    /// <summary>The cap of a server key (<see cref="ServerKey"/>); 1 for a key the plan does not know.</summary>
    public int ServerCap(string key) => serverCaps.GetValueOrDefault(key, 1);

    /// <summary>The cap of a mailbox key (<see cref="MailboxKey"/>); 1 for a key the plan does not know.</summary>
    public int MailboxCap(string key) => mailboxCaps.GetValueOrDefault(key, 1);
}
