namespace MailRecovery.Core.Archive;

/// <summary>
/// An archived message whose file is missing or damaged and that no server offered again: what the index still
/// knows of it, so that it is reported, never silently dropped.
/// </summary>
/// <param name="File">The base name the file had.</param>
/// <param name="Reason">What is wrong with the file (missing, size or content changed).</param>
public sealed record LostMessage(string File, string? MessageId, string? From, string? Subject, DateTimeOffset ReceivedAt, string Reason)
{
    public static LostMessage Of(ArchivedMessage row, string reason)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new LostMessage(row.File, row.Metadata.MessageId, row.Metadata.From, row.Metadata.Subject, row.Metadata.ReceivedAt, reason);
    }

    /// <summary>One line for a person: the index data that identifies the message.</summary>
    public override string ToString() => $"{File}: {Reason}; {IndexData()}";

    /// <summary>Message-ID, From, Subject and receipt time, as the index recorded them.</summary>
    public string IndexData() =>
        $"Message-ID <{MessageId ?? "none"}>, from {From ?? "(none)"}, subject \"{Subject ?? string.Empty}\", received {ReceivedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC";
}
