using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Fetch;

namespace MailRecovery.Cli.Fetch;

/// <summary>Progress as plain lines, for logs and pipes: one per mailbox, then one every 500 messages.</summary>
internal sealed class PlainFetchObserver : IFetchObserver
{
    private const int Every = 500;
    private readonly TextWriter output;
    private readonly TimeProvider clock;
    private readonly long start;
    private int done;
    private long bytes;

    public PlainFetchObserver(TextWriter output, TimeProvider clock)
    {
        this.output = output;
        this.clock = clock;
        start = clock.GetTimestamp();
    }

    public void MailboxStarted(string account, string mailbox, int messages, long bytes)
    {
        string where = mailbox.Length == 0 ? account : $"{account} {mailbox}";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{where}: {messages} new message(s), {Units.Megabytes(bytes)} to fetch"));
    }

    public void MessageDone(string account, long size, bool fresh)
    {
        done++;
        bytes += size;
        if (done % Every == 0)
        {
            double seconds = Math.Max(0.001, clock.GetElapsedTime(start).TotalSeconds);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{account}: {done} messages, {Units.Megabytes(bytes)}, {done / seconds:0} msg/s"));
        }
    }
}
