using System.CommandLine;
using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Snapshots;

namespace MailRecovery.Cli.Snapshot;

/// <summary><c>snapshot list</c>: reads manifests only (fast); <c>snapshot verify</c> reads the data.</summary>
internal static class SnapshotListCommand
{
    public static Command Create(CliContext cli)
    {
        var o = new SnapshotOptions();
        var command = new Command("list", "List the snapshots in a store, oldest first: id, moment the copy started, size, directories, state (complete, damaged, partial).");
        o.AddTo(command);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(o.Json), () =>
        {
            SnapshotStore store = o.OpenStore(result);
            IReadOnlyList<SnapshotInfo> all = store.List();
            if (result.GetValue(o.Json))
            {
                cli.Out.WriteLine(JsonOutput.Serialize(new SnapshotJson.List(true, 0, store.Path, all.Select(SnapshotJson.ItemOf).ToList())));
                return Task.FromResult(ExitCodes.Ok);
            }

            if (all.Count == 0)
                cli.Out.WriteLine($"no snapshots in {store.Path}");
            foreach (SnapshotInfo s in all)
            {
                string when = s.Manifest is { } m ? m.StartedUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
                string dirs = s.Manifest is { } d ? string.Join(", ", d.Dirs.Select(x => x.Path)) : string.Empty;
                string state = s.State.ToString().ToLowerInvariant() + (s.Problem is null ? string.Empty : $" ({s.Problem})");
                cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Id}  {when}  {Units.Megabytes(s.DataSize),10}  {state}  {dirs}"));
            }

            return Task.FromResult(ExitCodes.Ok);
        }));
        return command;
    }
}
