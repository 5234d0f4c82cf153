using System.CommandLine;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Snapshots;

namespace MailRecovery.Cli.Snapshot;

/// <summary>The options every snapshot verb shares, and the progress lines they print to stderr.</summary>
internal sealed class SnapshotOptions
{
    public Option<string> Store { get; } = new("--store") { Description = "The snapshot store: a directory, ideally on another disk than the data.", Required = true };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the report as JSON." };

    public Option<string[]> Data { get; } = new("--data") { Description = "A data directory (repeatable).", AllowMultipleArgumentsPerToken = false };

    public Argument<string> Id { get; } = new("ID") { Description = "The snapshot's id (snapshot list)." };

    public void AddTo(Command command, bool id = false, bool data = false)
    {
        if (id)
            command.Arguments.Add(Id);
        command.Options.Add(Store);
        if (data)
            command.Options.Add(Data);
        command.Options.Add(Json);
    }

    public SnapshotStore OpenStore(ParseResult result) => new(result.GetValue(Store)!);

    public string IdOf(ParseResult result) => SnapshotId.Check(result.GetValue(Id)!.Trim());

    public IReadOnlyList<string> DataOf(ParseResult result) => result.GetValue(Data) ?? [];

    /// <summary>Progress for large trees, to stderr so --json output stays clean.</summary>
    public static SnapshotProgress Progress(CliContext cli, string verb) =>
        (entries, bytes) => cli.Error.WriteLine($"{verb}: {entries} entries, {Units.Megabytes(bytes)}");

    /// <summary>The command that replays what the helpdesk pulled after the snapshot.</summary>
    public static string NextCommand(string store, string id) =>
        $"mailrecovery replay --pulled-after snapshot:{id} --snapshot-store {store} --archive ARCHIVE --to TARGET --dry-run";
}
