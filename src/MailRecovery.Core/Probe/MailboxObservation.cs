namespace MailRecovery.Core.Probe;

/// <summary>What one watched mailbox showed of the probe.</summary>
/// <param name="Role">"copy" or "primary".</param>
/// <param name="Found">The probe arrived within the timeout.</param>
/// <param name="Latency">From submission to the moment it was seen, when found.</param>
/// <param name="Folder">Where it was found ("INBOX", "Junk", …); null when not found.</param>
/// <param name="DeliveredTo">The Delivered-To / X-Original-To addresses and the Received "for" addresses of the copy.</param>
/// <param name="QuotaPercent">How full the mailbox is (IMAP QUOTA), when the server says.</param>
public sealed record MailboxObservation(
    string Role,
    string Mailbox,
    bool Found,
    TimeSpan? Latency,
    string? Folder,
    IReadOnlyList<string> DeliveredTo,
    int? QuotaPercent,
    string? Error);
