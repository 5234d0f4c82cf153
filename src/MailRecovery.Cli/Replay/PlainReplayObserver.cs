using System.Globalization;
using MailRecovery.Core.Replay;

namespace MailRecovery.Cli.Replay;

/// <summary>Replay progress as plain lines: one every 100 messages, and every failure.</summary>
internal sealed class PlainReplayObserver(TextWriter output, int total) : IReplayObserver
{
    private int done;

    public void MessageDone(ReplayItem item, string outcome)
    {
        done++;
        if (done % 100 == 0 || done == total)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replay: {done}/{total}"));
    }
}
