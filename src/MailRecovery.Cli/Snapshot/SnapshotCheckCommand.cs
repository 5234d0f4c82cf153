using System.CommandLine;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Snapshots;

namespace MailRecovery.Cli.Snapshot;

/// <summary><c>snapshot check</c>: live owner, group and mode against a manifest; --fix sets them back. Exit 1 while differences remain.</summary>
internal static class SnapshotCheckCommand
{
    public static Command Create(CliContext cli)
    {
        var o = new SnapshotOptions();
        var fix = new Option<bool>("--fix") { Description = "Set owner, group and mode back to the snapshot's (chown/chmod) where they differ; missing and extra files are only reported." };
        var content = new Option<bool>("--content") { Description = "Also compare file sizes and mtimes (they change as the helpdesk works; useful right after a restore by other means)." };
        var command = new Command("check", "Compare live data directories with a snapshot's manifest: owner, group, mode, missing and extra entries. For a restore made by other means (a copy from removable media leaves root and 0777/0666).");
        o.Data.Required = true;
        o.AddTo(command, id: true, data: true);
        command.Options.Add(fix);
        command.Options.Add(content);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(o.Json), () =>
        {
            SnapshotStore store = o.OpenStore(result);
            string id = o.IdOf(result);
            SnapshotCheckReport report = SnapshotCheckRun.Run(store, id, o.DataOf(result), result.GetValue(content), result.GetValue(fix), ct);
            int code = report.IsClean ? ExitCodes.Ok : ExitCodes.SomeFailed;
            if (result.GetValue(o.Json))
            {
                cli.Out.WriteLine(JsonOutput.Serialize(new SnapshotJson.Check(report.IsClean, code, id, report.Fixed, report.Found, report.Remaining)));
                return Task.FromResult(code);
            }

            foreach (CheckFinding f in report.Found)
                cli.Out.WriteLine(report.Fixed && f.Fixable && !report.Remaining.Contains(f) ? $"fixed: {f}" : f.ToString());
            cli.Out.WriteLine(report.Found.Count == 0 ? "owner, group and mode match the snapshot"
                : report.IsClean ? $"{report.Found.Count} difference(s) fixed"
                : $"{report.Remaining.Count} difference(s){(report.Fixed ? " remain (missing or extra files, or types: restore or look)" : "; --fix sets owner, group and mode back")}");
            return Task.FromResult(code);
        }));
        return command;
    }
}
