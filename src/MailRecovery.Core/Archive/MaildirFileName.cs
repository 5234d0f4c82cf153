using System.Globalization;
using System.Text;

namespace MailRecovery.Core.Archive;

/// <summary>
/// Archive file names, in Dovecot's Maildir form so that any Maildir reader understands them:
/// <c>{seconds}.M{microseconds}P{pid}Q{n}.{host},S={size},R={h|i|f}:2,</c>. The time is when the message was
/// archived; <c>S=</c> spares readers a stat; <c>R=</c> records where the receipt time came from (the file's
/// mtime holds the time itself), so that the index can be rebuilt from the files alone.
/// </summary>
public static class MaildirFileName
{
    /// <summary>The Maildir info part of a message nobody has flagged yet.</summary>
    public const string InfoSuffix = ":2,";

    /// <summary>Builds a unique base name (without the info part).</summary>
    public static string Create(DateTimeOffset archivedAt, int pid, long sequence, string host, long size, ReceivedTimeSource source)
    {
        long micros = archivedAt.ToUnixTimeMilliseconds() * 1000 % 1_000_000 + archivedAt.Ticks / 10 % 1000;
        return string.Create(CultureInfo.InvariantCulture,
            $"{archivedAt.ToUnixTimeSeconds()}.M{micros}P{pid}Q{sequence}.{SafeHost(host)},S={size},R={Code(source)}");
    }

    /// <summary>The unique part of a file name: everything before the info part (":2,…").</summary>
    public static string BaseOf(string fileName)
    {
        int colon = fileName.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? fileName : fileName[..colon];
    }

    /// <summary>Reads what the name records; false for a name MailRecovery did not write (an imported file).</summary>
    public static bool TryParse(string baseName, out DateTimeOffset archivedAt, out ReceivedTimeSource source)
    {
        archivedAt = default;
        source = ReceivedTimeSource.FetchTime;
        int dot = baseName.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(baseName.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
            return false;
        long micros = 0;
        if (dot + 1 < baseName.Length && baseName[dot + 1] == 'M')
        {
            int end = baseName.IndexOf('P', dot);
            if (end > dot + 2)
                _ = long.TryParse(baseName.AsSpan(dot + 2, end - dot - 2), NumberStyles.None, CultureInfo.InvariantCulture, out micros);
        }

        // Names from other tools may carry milliseconds or anything else there: not ours, not an error.
        const long MaxUnixSeconds = 253_402_300_799; // 9999-12-31
        if (seconds > MaxUnixSeconds || micros >= 1_000_000)
            return false;
        archivedAt = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(micros * 10);
        int r = baseName.LastIndexOf(",R=", StringComparison.Ordinal);
        if (r < 0 || r + 3 >= baseName.Length)
            return false;
        source = baseName[r + 3] switch
        {
            'h' => ReceivedTimeSource.ReceivedHeader,
            'i' => ReceivedTimeSource.InternalDate,
            _ => ReceivedTimeSource.FetchTime,
        };
        return true;
    }

    private static char Code(ReceivedTimeSource source) => source switch
    {
        ReceivedTimeSource.ReceivedHeader => 'h',
        ReceivedTimeSource.InternalDate => 'i',
        _ => 'f',
    };

    /// <summary>The Maildir spec's escapes for '/' and ':' in the host name; ',' would confuse the fields.</summary>
    private static string SafeHost(string host)
    {
        var sb = new StringBuilder(host.Length);
        foreach (char c in host)
        {
            sb.Append(c switch
            {
                '/' => "\\057",
                ':' => "\\072",
                ',' => "\\054",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }
}
