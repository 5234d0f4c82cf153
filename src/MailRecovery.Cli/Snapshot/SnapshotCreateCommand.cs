using System.CommandLine;
using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Snapshots;

namespace MailRecovery.Cli.Snapshot;

/// <summary><c>snapshot create</c>.</summary>
internal static class SnapshotCreateCommand
{
    public static Command Create(CliContext cli)
    {
        var o = new SnapshotOptions();
        var before = new Option<string?>("--before") { Description = "Run CMD before the copy (maintenance mode on, or stop the helpdesk). Split into words like a shell, but no shell runs it (write sh -c '…' for one). Non-zero exit: no snapshot. With --before, a file that changes during the copy fails the snapshot." };
        var after = new Option<string?>("--after") { Description = "Run CMD after the copy, always: also when --before or the copy failed, or on Ctrl+C/SIGTERM." };
        var keep = new Option<int>("--keep") { Description = "Keep the newest N complete snapshots (the new one included); older ones are removed only once the new one is complete. Default: keep all." };
        var compress = new Option<bool>("--compress") { Description = "gzip the tar (data.tar.gz)." };
        var hookTimeout = new Option<int>("--hook-timeout") { Description = "Seconds --before and --after may each run before they are killed. Default: 300.", DefaultValueFactory = _ => 300 };
        var command = new Command("create", "Snapshot data directories: --before, a tar with owner, group, mode and mtime plus a manifest with every file's SHA-256, --after, verified and made durable.");
        o.Data.Required = true;
        o.AddTo(command, data: true);
        foreach (Option option in new Option[] { before, after, keep, compress, hookTimeout })
            command.Options.Add(option);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(o.Json), async () =>
        {
            bool json = result.GetValue(o.Json);
            if (result.GetValue(keep) < 0 || result.GetValue(hookTimeout) <= 0)
                throw MailRecoveryException.Usage("--keep must be 0 or more and --hook-timeout more than 0.", "e.g. --keep 7 --hook-timeout 300.");
            var options = new SnapshotCreateOptions
            {
                DataDirectories = o.DataOf(result),
                Before = result.GetValue(before),
                After = result.GetValue(after),
                Keep = result.GetValue(keep),
                Compress = result.GetValue(compress),
                HookTimeout = TimeSpan.FromSeconds(result.GetValue(hookTimeout)),
            };
            SnapshotStore store = o.OpenStore(result);
            SnapshotCreateReport report = await new SnapshotCreateRun(store, cli.Clock, cli.Error, SnapshotOptions.Progress(cli, "copied")).RunAsync(options, ct);
            SnapshotManifest m = report.Manifest;
            if (json)
            {
                cli.Out.WriteLine(JsonOutput.Serialize(new SnapshotJson.Create(true, 0, m.Id, m.StartedUtc, m.FinishedUtc, report.Path,
                    m.Dirs.Select(d => d.Path).ToList(), m.FileCount, m.Bytes, m.DataSize, m.Warnings, report.Removed)));
                return ExitCodes.Ok;
            }

            foreach (string w in m.Warnings)
                cli.Out.WriteLine($"warning: {w}");
            foreach (string r in report.Removed)
                cli.Out.WriteLine($"removed (--keep): {r}");
            cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"snapshot {m.Id}: {m.FileCount} files, {Units.Megabytes(m.Bytes)} of {string.Join(", ", m.Dirs.Select(d => d.Path))}; copy started {m.StartedUtc:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}, verified, in {report.Path}"));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
