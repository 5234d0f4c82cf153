using System.Globalization;
using MailRecovery.Core.Archive;
using MailRecovery.Core.Errors;
using MimeKit;

namespace MailRecovery.Core.Probe.Audit;

/// <summary>
/// An mbox file (RFC 4155; mboxo, mboxrd and mboxcl alike, as MimeKit reads them). Messages are parsed one at
/// a time in MimeKit's persistent mode: part contents stay in the file instead of being copied into memory, and
/// each message is dropped before the next is read.
/// </summary>
public sealed class MboxPrimarySource : IPrimaryMailSource
{
    /// <summary>The asctime date of a From_ line ("Thu Nov 26 10:00:00 2026"), day padded or not.</summary>
    private static readonly string[] MarkerDateFormats = ["ddd MMM d HH:mm:ss yyyy", "ddd MMM dd HH:mm:ss yyyy"];

    private readonly string file;

    public MboxPrimarySource(string file) => this.file = file;

    public string Description => $"mbox:{file}";

    public async Task<IReadOnlyList<AuditMessage>> ListAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var listed = new List<AuditMessage>();
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, useAsync: false);
        if (stream.Length == 0)
            return listed;
        DateTimeOffset mtime = new(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
        var parser = new MimeParser(stream, MimeFormat.Mbox, persistent: true);
        while (!parser.IsEndOfStream)
        {
            MimeMessage message;
            try
            {
                message = await parser.ParseMessageAsync(cancellationToken);
            }
            catch (FormatException e)
            {
                throw MailRecoveryException.Usage($"{file} is not an mbox file ({e.Message.TrimEnd('.')}).", "give an mbox file (messages each starting with a \"From \" line), or use maildir: or eml: for other exports.");
            }

            using (message)
            {
                // The From_ line's date is the delivery time the MTA wrote: better than the file's mtime,
                // which is the time of the last message appended.
                DateTimeOffset fallback = MarkerDate(parser.MboxMarker) ?? mtime;
                using var headers = new MemoryStream();
                await message.Headers.WriteToAsync(FormatOptions.Default, headers, cancellationToken);
                headers.Position = 0;
                MessageMetadata metadata = await MessageMetadataReader.ReadAsync(headers, fallback, ReceivedTimeSource.InternalDate, cancellationToken);
                AuditMessage audit = AuditMessage.Of(metadata);
                if (audit.ReceivedAt >= from && audit.ReceivedAt < until)
                    listed.Add(audit);
            }
        }

        return listed;
    }

    /// <summary>
    /// The date at the end of "From sender asctime-date" (RFC 4155 §2). Read as UTC: the line carries no zone,
    /// and the audit's margin absorbs the difference. Null when absent or unreadable.
    /// </summary>
    internal static DateTimeOffset? MarkerDate(string? marker)
    {
        if (string.IsNullOrWhiteSpace(marker))
            return null;
        string[] words = marker.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 5)
            return null;
        string date = string.Join(' ', words[^5..]);
        return DateTime.TryParseExact(date, MarkerDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime utc)
            ? new DateTimeOffset(utc, TimeSpan.Zero)
            : null;
    }
}
