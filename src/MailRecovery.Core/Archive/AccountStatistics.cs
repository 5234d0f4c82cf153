namespace MailRecovery.Core.Archive;

/// <summary>What the index knows about one source account.</summary>
/// <param name="FailingSince">The first failed pass after the last successful one; null while the account passes.</param>
/// <param name="LastArchived">When the newest of the account's messages was archived (written to the index); null without messages.</param>
public sealed record AccountStatistics(
    string Account,
    DateTimeOffset? LastSuccess,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? LastReceived,
    long Messages,
    long Bytes,
    DateTimeOffset? FailingSince = null,
    DateTimeOffset? LastArchived = null);
