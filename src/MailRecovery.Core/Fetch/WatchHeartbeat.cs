using System.Globalization;
using System.Text;
using MailRecovery.Core.Errors;

namespace MailRecovery.Core.Fetch;

/// <summary>
/// Counts watch's passes per account between two heartbeat lines. The index records each pass for <c>status</c>;
/// this is the log's side, so that a journal read in the morning shows watch was alive all night, and how each
/// account fared, even when nothing arrived and nothing failed (otherwise such a night leaves no line at all).
/// </summary>
public sealed class WatchHeartbeat
{
    private readonly Lock gate = new();
    private readonly SortedDictionary<string, Tally> tallies = new(StringComparer.Ordinal);

    /// <summary>Counts one pass of <paramref name="account"/>; <paramref name="error"/> is null for a successful one.</summary>
    public void Record(string account, DateTimeOffset at, MailRecoveryException? error)
    {
        lock (gate)
        {
            Tally t = tallies.TryGetValue(account, out Tally? existing) ? existing : tallies[account] = new Tally();
            t.Passes++;
            if (error is null)
            {
                t.LastSuccess = at;
                t.FailingSince = null;
            }
            else
            {
                t.Failed++;
                t.FailingSince ??= at;
                t.LastError = error.Message;
            }
        }
    }

    /// <summary>How many accounts finished at least one pass (successful or not) since watch started.</summary>
    public int AccountsPassed
    {
        get
        {
            lock (gate)
                return tallies.Count;
        }
    }

    /// <summary>The heartbeat line, and a new count for the next interval (the last success and failure run carry over).</summary>
    public string TakeLine()
    {
        var line = new StringBuilder("heartbeat: watch is running");
        lock (gate)
        {
            if (tallies.Count == 0)
                line.Append("; no pass finished yet");
            foreach ((string account, Tally t) in tallies)
            {
                line.Append(CultureInfo.InvariantCulture, $"; {account}: {t.Passes} pass(es), {t.Failed} failed, last success {(t.LastSuccess is { } s ? Utc(s) : "never")}");
                if (t.FailingSince is { } f)
                    line.Append(CultureInfo.InvariantCulture, $", FAILING since {Utc(f)}: {t.LastError}");
                t.Passes = 0;
                t.Failed = 0;
            }
        }

        return line.ToString();
    }

    private static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed class Tally
    {
        public int Passes { get; set; }

        public int Failed { get; set; }

        public DateTimeOffset? LastSuccess { get; set; }

        public DateTimeOffset? FailingSince { get; set; }

        public string? LastError { get; set; }
    }
}
