namespace MailRecovery.Core.Archive;

/// <summary>One inconsistency between the index and the Maildir.</summary>
/// <param name="Kind">missing-file, size-mismatch, hash-mismatch or not-indexed.</param>
public sealed record ArchiveProblem(string Kind, string File, string Detail);
