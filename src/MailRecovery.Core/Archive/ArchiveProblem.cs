namespace MailRecovery.Core.Archive;

/// <summary>One inconsistency between the index and the Maildir.</summary>
/// <param name="Kind">missing-file, empty-file, size-mismatch, hash-mismatch, not-indexed, server-size-mismatch or not-regular-file.</param>
public sealed record ArchiveProblem(string Kind, string File, string Detail);
