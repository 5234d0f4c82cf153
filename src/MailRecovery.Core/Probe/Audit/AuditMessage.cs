using MailRecovery.Core.Archive;

namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// One message as the audit compares it: by <see cref="MessageIdentity"/> (its Message-ID, and its
/// <see cref="Fingerprint"/> where that was read), placed in time by its receipt.
/// </summary>
/// <param name="MessageId">Message-ID without angle brackets, or null when the message has none.</param>
/// <param name="ReceivedAt">
/// When the mailbox received it: the newest Received: header, else IMAP INTERNALDATE or the file's mtime.
/// Clocks differ between these, which is why the primary is listed with a margin.
/// </param>
/// <param name="From">The From: addresses, lower case, comma separated (as the archive index stores them).</param>
public sealed record AuditMessage(string? MessageId, DateTimeOffset ReceivedAt, string? From, string? Subject)
{
    /// <summary>The content half of the identity (<see cref="MessageFingerprint"/>), or null when it was not read.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>Where its source finds it again to read it whole (a UID, a file path); null for the archive's side.</summary>
    public string? Locator { get; init; }

    public static AuditMessage Of(MessageMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return new(metadata.MessageId, metadata.ReceivedAt, metadata.From, metadata.Subject);
    }

    /// <summary>An archived message, with its fingerprint.</summary>
    public static AuditMessage Of(ArchivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Of(message.Metadata) with { Fingerprint = message.Fingerprint };
    }

    /// <summary>
    /// The form both sides are compared in: trimmed, without angle brackets, empty as null. Comparison is
    /// ordinal, as the index stores it (RFC 5322 §3.6.4 ids are case-sensitive in their left part).
    /// </summary>
    public static string? NormalizeId(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
            return null;
        string trimmed = id.Trim().Trim('<', '>').Trim();
        return trimmed.Length == 0 ? null : trimmed;
    }
}
