using MailRecovery.Core.Replay;
using Spectre.Console;

namespace MailRecovery.Cli.Replay;

/// <summary>A progress bar with ETA on a terminal.</summary>
internal sealed class ProgressBarReplayObserver(ProgressTask task) : IReplayObserver
{
    public void MessageDone(ReplayItem item, string outcome) => task.Increment(1);

    public static async Task<T> RunAsync<T>(int total, Func<IReplayObserver, Task<T>> body) =>
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx => await body(new ProgressBarReplayObserver(ctx.AddTask("replay", maxValue: Math.Max(1, total)))));
}
