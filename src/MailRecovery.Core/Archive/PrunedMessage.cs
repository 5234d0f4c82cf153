namespace MailRecovery.Core.Archive;

/// <summary>A message <c>archive prune</c> selects or removed: what identifies it to a person and to a script.</summary>
/// <param name="File">The archive file's base name (the unique part before <c>:2,</c>).</param>
/// <param name="ReceivedAt">The receipt time the selection is by (the server's, <c>messages.received_utc</c>).</param>
public sealed record PrunedMessage(string File, string? MessageId, string? From, string? Subject, DateTimeOffset ReceivedAt, long Size);
