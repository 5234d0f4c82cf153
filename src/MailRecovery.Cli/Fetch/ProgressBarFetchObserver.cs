using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Fetch;
using Spectre.Console;

namespace MailRecovery.Cli.Fetch;

/// <summary>A progress bar per account on a terminal: messages, MB and rate.</summary>
internal sealed class ProgressBarFetchObserver : IFetchObserver
{
    private readonly ProgressContext context;
    private readonly Dictionary<string, (ProgressTask Task, int Total, int Done)> tasks = new(StringComparer.Ordinal);

    public ProgressBarFetchObserver(ProgressContext context) => this.context = context;

    public void MailboxStarted(string account, string mailbox, int messages, long bytes)
    {
        string label = Markup.Escape(mailbox.Length == 0 ? account : $"{account} {mailbox}");
        ProgressTask task = context.AddTask(label, maxValue: Math.Max(1, bytes));
        if (messages == 0)
            task.Value = task.MaxValue;
        tasks[account] = (task, messages, 0);
    }

    public void MessageDone(string account, long size, bool fresh)
    {
        if (!tasks.TryGetValue(account, out var entry))
            return;
        entry.Done++;
        entry.Task.Increment(size);
        entry.Task.Description = string.Create(CultureInfo.InvariantCulture, $"{entry.Task.Description.Split(" [", 2)[0]} [{entry.Done}/{entry.Total}]");
        tasks[account] = entry;
    }

    public static async Task<T> RunAsync<T>(Func<IFetchObserver, Task<T>> body) =>
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx => await body(new ProgressBarFetchObserver(ctx)));
}
