namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// What the archive holds, at any time, of the identities an audit's primary listing names: the fingerprints
/// of its messages per Message-ID, and which of the primary's read fingerprints it holds.
/// </summary>
/// <param name="FingerprintsByMessageId">For each of the primary's Message-IDs the archive holds, its messages' fingerprints (empty for rows not fingerprinted yet).</param>
/// <param name="KnownFingerprints">Every fingerprint the archive is known to hold among those asked: the primary's read ones it holds, and all under <paramref name="FingerprintsByMessageId"/>.</param>
public sealed record ArchivedIdentities(
    IReadOnlyDictionary<string, HashSet<string>> FingerprintsByMessageId,
    IReadOnlySet<string> KnownFingerprints)
{
    public static ArchivedIdentities None { get; } = new(new Dictionary<string, HashSet<string>>(), new HashSet<string>());

    /// <summary>
    /// The identity keys a primary message may stand for: its fingerprint when read; else, by its Message-ID, the
    /// fingerprints the archive has under it (one for a unique Message-ID) or "mid:" + the Message-ID when the
    /// archive has none; empty when it has neither fingerprint nor Message-ID (it cannot be identified).
    /// </summary>
    public IReadOnlyCollection<string> KeysOf(AuditMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Fingerprint is not null)
            return [message.Fingerprint];
        if (AuditMessage.NormalizeId(message.MessageId) is not string id)
            return [];
        return FingerprintsByMessageId.TryGetValue(id, out HashSet<string>? fingerprints) && fingerprints.Count > 0
            ? fingerprints
            : [$"mid:{id}"];
    }

    /// <summary>True when the archive holds the message a key stands for.</summary>
    public bool Holds(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith("mid:", StringComparison.Ordinal)
            ? FingerprintsByMessageId.ContainsKey(key[4..])
            : KnownFingerprints.Contains(key);
    }
}
