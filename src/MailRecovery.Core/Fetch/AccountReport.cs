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

    public List<string> Failures { get; } = [];

    public List<string> Warnings { get; } = [];

    /// <summary>Server messages (mailbox, id) counted as fetched or already had by an earlier try of the pass.</summary>
    private readonly HashSet<(string Mailbox, string ServerId)> counted = [];

    /// <summary>True the first time a server message is counted in this report; a retried pass lists it again.</summary>
    internal bool CountOnce(string mailbox, string serverId) => counted.Add((mailbox, serverId));

    /// <summary>Set when the account as a whole failed; the counts say how far it got.</summary>
    public MailRecoveryException? Error { get; set; }
}
