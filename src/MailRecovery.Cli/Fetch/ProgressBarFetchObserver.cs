using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Fetch;
using Spectre.Console;

namespace MailRecovery.Cli.Fetch;

/// <summary>A progress bar per account on a terminal: messages, MB and rate.</summary>
internal sealed class ProgressBarFetchObserver : IFetchObserver
{
    private readonly ProgressContext context;
    private readonly Dictionary<string, (ProgressTask Task, string Label, int Total, int Done)> tasks = new(StringComparer.Ordinal);

    public ProgressBarFetchObserver(ProgressContext context) => this.context = context;

    public void MailboxStarted(string account, string mailbox, int messages, long bytes)
    {
        string label = Label(account, mailbox);
        ProgressTask task = context.AddTask(label, maxValue: Math.Max(1, bytes));
        if (messages == 0)
            task.Value = task.MaxValue;
        tasks[account] = (task, label, messages, 0);
    }

    public void MessageDone(string account, long size, bool fresh)
    {
        if (!tasks.TryGetValue(account, out var entry))
            return;
        entry.Done++;
        entry.Task.Increment(size);
        // The description is Spectre markup: '[' would open a style tag (and a bad one kills the process from
        // the refresh thread), so the label is escaped once and the counter uses parentheses.
        entry.Task.Description = Counter(entry.Label, entry.Done, entry.Total);
        tasks[account] = entry;
    }

    /// <summary>The task's markup label: the account and mailbox, escaped.</summary>
    internal static string Label(string account, string mailbox) => Markup.Escape(mailbox.Length == 0 ? account : $"{account} {mailbox}");

    /// <summary>The label with the message counter, still valid markup.</summary>
    internal static string Counter(string label, int done, int total) => string.Create(CultureInfo.InvariantCulture, $"{label} ({done}/{total})");

    public static async Task<T> RunAsync<T>(Func<IFetchObserver, Task<T>> body) =>
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx => await body(new ProgressBarFetchObserver(ctx)));
}
