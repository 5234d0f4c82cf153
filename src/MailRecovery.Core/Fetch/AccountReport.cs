using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Fetch;

/// <summary>The outcome of one account in a fetch pass.</summary>
public sealed class AccountReport
{
    public AccountReport(string account) => Account = account;

    public string Account { get; }

    /// <summary>New messages archived.</summary>
    public int Fetched { get; set; }

    /// <summary>
    /// Messages already in the archive (same server message, or byte-identical content), each server message
    /// once however often the pass was retried.
    /// </summary>
    public int AlreadyHad { get; set; }

    /// <summary>Messages that could not be fetched; each has an entry in <see cref="Failures"/>.</summary>
    public int Failed => Failures.Count;

    /// <summary>
    /// Messages listed but expunged on the server (by another session) before their download: not archived,
    /// not counted as fetched or failed. Nothing is left to fetch, so this is no failure.
    /// </summary>
    public int Vanished { get; set; }

    /// <summary>Messages deleted from the server after archiving.</summary>
    public int Removed { get; set; }

    public long Bytes { get; set; }

    /// <summary>Missing or damaged archive files downloaded again and put back.</summary>
    public int Repaired { get; set; }

    /// <summary>Archived messages whose file is missing or damaged and that the server no longer has.</summary>
    public List<Archive.LostMessage> Lost { get; } = [];

    public List<string> Failures { get; } = [];

    public List<string> Warnings { get; } = [];

    /// <summary>Server messages (mailbox, id) counted by an earlier try of the pass, and by this one.</summary>
    private readonly HashSet<(string Mailbox, string ServerId)> earlierTries = [];
    private readonly HashSet<(string Mailbox, string ServerId)> thisTry = [];

    /// <summary>A try of the pass starts (the first, or a retry after a failure).</summary>
    internal void BeginTry()
    {
        earlierTries.UnionWith(thisTry);
        thisTry.Clear();
    }

    /// <summary>
    /// False when an earlier try of the pass counted this server message already: a retried pass lists what the
    /// failed try archived again. Within one try every listed message counts (without UIDL, identical messages
    /// share their content-hash id and are still several messages).
    /// </summary>
    internal bool CountOnce(string mailbox, string serverId)
    {
        thisTry.Add((mailbox, serverId));
        return !earlierTries.Contains((mailbox, serverId));
    }

    /// <summary>Set when the account as a whole failed; the counts say how far it got.</summary>
    public MailRecoveryException? Error { get; set; }
}
