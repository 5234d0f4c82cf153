namespace MailRecovery.Core.Archive;

/// <summary>What the index knows about one source account.</summary>
public sealed record AccountStatistics(
    string Account,
    DateTimeOffset? LastSuccess,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? LastReceived,
    long Messages,
    long Bytes);
