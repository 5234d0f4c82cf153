namespace MailRecovery.Core.Archive;

/// <summary>One inconsistency between the index and the Maildir.</summary>
/// <param name="Kind">missing-file, empty-file, size-mismatch, hash-mismatch, not-indexed or server-size-mismatch.</param>
public sealed record ArchiveProblem(string Kind, string File, string Detail);
