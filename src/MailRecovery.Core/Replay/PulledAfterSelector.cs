using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Replay;

/// <summary>
/// Selects exactly the archived messages the helpdesk took from its own account after T, from the primary ledger
/// that <c>watch --primary</c> keeps (<see cref="PrimaryLedger"/>), each placed by its <see cref="TakenBracket"/>.
/// Probes are left out (always: a probe was never a ticket).
/// </summary>
public static class PulledAfterSelector
{
    /// <summary>
    /// A look this soon after a message's receipt time may not have been able to see it (whole-second receipt
    /// times, and the mail server's clock against this host's): it does not close the bracket of a message it did
    /// not see. Wider only costs messages "around T" near a look; narrower could call a message taken before T.
    /// </summary>
    public static readonly TimeSpan ReceiptMargin = TimeSpan.FromSeconds(30);

    /// <param name="includeAround">Replay messages whose bracket contains T (the default: a duplicate ticket is better than a lost one).</param>
    /// <exception cref="MailRecoveryException">Usage: the archive has no ledger, or T is before its first look.</exception>
    public static PulledAfterSelection Select(ArchiveIndex index, DateTimeOffset t, ReplayFilter filter, bool includeAround)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var ledger = new PrimaryLedger(index);
        if (ledger.FirstLook() is not DateTimeOffset first || ledger.LastLook() is not DateTimeOffset last)
        {
            throw MailRecoveryException.Usage(
                "--pulled-after needs the primary ledger, and this archive has none: watch has never looked at the helpdesk's own account.",
                "use --since TIME or --since-backup PATH (a receipt-time window) for this incident, and run watch with --primary URI (or a \"primary\" entry per account in the configuration) from now on.");
        }

        if (t < first)
        {
            throw MailRecoveryException.Usage(
                $"--pulled-after {t.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} is before the ledger's first look at the helpdesk's account ({first.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}): what the helpdesk took before then is not known.",
                "give a time after the ledger began, or use --since TIME (a receipt-time window) for an earlier one.");
        }

        var selected = new List<ArchivedMessage>();
        int after = 0, around = 0, notLooked = 0, waiting = 0, unobserved = 0;
        foreach (var (message, facts) in ledger.Candidates(t, ReceiptMargin))
        {
            if (!Matches(message, filter))
                continue;
            switch (TakenBracket.Classify(message.Metadata.ReceivedAt, facts, t))
            {
                case PulledRelation.After:
                    after++;
                    if (facts.Taken is null && facts.NextLook is null)
                        notLooked++;
                    selected.Add(message);
                    break;
                case PulledRelation.Around:
                    around++;
                    if (includeAround)
                        selected.Add(message);
                    break;
                case PulledRelation.Waiting:
                    waiting++;
                    break;
                case PulledRelation.Unobserved:
                    unobserved++;
                    break;
            }
        }

        return new PulledAfterSelection(t, selected, after, around, includeAround, notLooked, waiting, unobserved, first, last);
    }

    /// <summary>The filters of <see cref="ReplayFilter"/>, as the window selection applies them (addresses case-insensitive).</summary>
    private static bool Matches(ArchivedMessage m, ReplayFilter filter)
    {
        MessageMetadata md = m.Metadata;
        if (filter.Recipients.Count > 0)
        {
            string[] rcpts = md.Recipients.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!filter.Recipients.Any(r => rcpts.Contains(r.Trim().ToLowerInvariant(), StringComparer.Ordinal)))
                return false;
        }

        if (filter.Senders.Count > 0)
        {
            string[] from = (md.From ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (!filter.Senders.Any(s => from.Contains(s.Trim().ToLowerInvariant(), StringComparer.Ordinal)))
                return false;
        }

        return filter.MessageIds.Count == 0 || filter.MessageIds.Any(id => string.Equals(id.Trim().Trim('<', '>'), md.MessageId, StringComparison.Ordinal));
    }
}
