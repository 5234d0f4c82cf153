using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Probe.Audit;

/// <summary>What an audit found in the window [<see cref="Since"/>, <see cref="Until"/>).</summary>
/// <param name="Primary">The primary source as the user named it.</param>
/// <param name="PrimaryInWindow">Messages the primary received in the window (with or without Message-ID).</param>
/// <param name="CopyInWindow">Archived messages received in the window, probes excluded.</param>
/// <param name="Matched">Primary messages of the window the archive holds (by identity, at any time).</param>
/// <param name="PrimaryOnly">In the primary, in the window, and nowhere in the archive: the alias did not deliver them to the copy.</param>
/// <param name="CopyOnly">In the archive, in the window, and not in the primary (listed with the margin).</param>
/// <param name="PrimaryWithoutMessageId">Primary messages of the window without a Message-ID (matched by fingerprint when the primary can be read whole).</param>
/// <param name="CopyWithoutMessageId">Archived messages of the window without a Message-ID.</param>
/// <param name="Duplicates">Messages the primary holds more than once in the window.</param>
/// <param name="Unidentified">Primary messages of the window without a Message-ID that could not be read whole: they cannot be matched.</param>
public sealed record AliasAuditReport(
    string Primary,
    DateTimeOffset Since,
    DateTimeOffset Until,
    TimeSpan Margin,
    int PrimaryInWindow,
    int CopyInWindow,
    int Matched,
    IReadOnlyList<AuditMessage> PrimaryOnly,
    IReadOnlyList<AuditMessage> CopyOnly,
    int PrimaryWithoutMessageId,
    int CopyWithoutMessageId,
    IReadOnlyList<AuditDuplicate> Duplicates,
    int Unidentified)
{
    /// <summary>
    /// 0 when the three lists are empty, 1 otherwise. Messages that could not be identified do not change it:
    /// they are counted and explained, since nothing can be said about them.
    /// </summary>
    public int ExitCode => PrimaryOnly.Count == 0 && CopyOnly.Count == 0 && Duplicates.Count == 0 ? ExitCodes.Ok : ExitCodes.SomeFailed;
}
