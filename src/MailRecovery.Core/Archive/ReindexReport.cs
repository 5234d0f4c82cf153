namespace MailRecovery.Core.Archive;

/// <summary>What <see cref="ArchiveReindexer"/> did.</summary>
/// <param name="Indexed">Files catalogued from the Maildir.</param>
/// <param name="Quarantined">Files whose content was not the recorded one, moved to the quarantine.</param>
/// <param name="Damaged">Rows kept without a sound file (missing or quarantined): <c>fetch</c> or <c>archive repair</c> puts them back from a server, or reports them lost.</param>
/// <param name="IndexMovedAside">Where a damaged index was moved before this rebuild, or null.</param>
public sealed record ReindexReport(int Indexed, IReadOnlyList<QuarantinedFile> Quarantined, IReadOnlyList<LostMessage> Damaged, string? IndexMovedAside);

/// <summary>A message file moved out of the Maildir because its bytes are not the ones archived.</summary>
public sealed record QuarantinedFile(string File, string MovedTo, string Reason);
