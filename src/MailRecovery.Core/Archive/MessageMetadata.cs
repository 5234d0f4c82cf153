namespace MailRecovery.Core.Archive;

/// <summary>
/// What the index records of a message, read from its headers. Every field is optional except the times:
/// a malformed message is archived all the same and indexed with what could be read.
/// </summary>
/// <param name="MessageId">Message-ID without angle brackets, or null.</param>
/// <param name="ReceivedAt">The server receipt time (see <see cref="ReceivedSource"/>).</param>
/// <param name="Date">The Date: header, or null when absent or unparseable.</param>
/// <param name="Recipients">Every address of To, Cc, Delivered-To and X-Original-To, lower case, space separated.</param>
public sealed record MessageMetadata(
    string? MessageId,
    DateTimeOffset ReceivedAt,
    ReceivedTimeSource ReceivedSource,
    DateTimeOffset? Date,
    string? From,
    string? To,
    string? Cc,
    string? DeliveredTo,
    string? XOriginalTo,
    string Recipients,
    string? Subject,
    bool IsProbe);
