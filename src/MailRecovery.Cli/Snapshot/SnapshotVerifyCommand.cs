using System.CommandLine;
using System.Globalization;
using MailRecovery.Cli.Common;
using MailRecovery.Core.Errors;
using MailRecovery.Core.Snapshots;

namespace MailRecovery.Cli.Snapshot;

/// <summary><c>snapshot verify</c>: every byte of the data file against the manifest. Exit 1 when something differs.</summary>
internal static class SnapshotVerifyCommand
{
    public static Command Create(CliContext cli)
    {
        var o = new SnapshotOptions();
        var command = new Command("verify", "Read a snapshot's whole data file and check every entry's type, size and SHA-256 and the file's own SHA-256 against the manifest. Read-only. Exit 1 when something differs.");
        o.AddTo(command, id: true);
        command.SetAction((result, ct) => Verb.RunAsync(cli, result.GetValue(o.Json), async () =>
        {
            SnapshotStore store = o.OpenStore(result);
            string id = o.IdOf(result);
            SnapshotManifest m = store.Load(id);
            List<string> problems = await SnapshotVerifier.VerifyAsync(store, m, SnapshotOptions.Progress(cli, "verified"), ct);
            int code = problems.Count == 0 ? ExitCodes.Ok : ExitCodes.SomeFailed;
            if (result.GetValue(o.Json))
            {
                cli.Out.WriteLine(JsonOutput.Serialize(new SnapshotJson.Verify(code == 0, code, id, m.StartedUtc, m.FileCount, m.DataSize, problems)));
                return code;
            }

            foreach (string p in problems)
                cli.Out.WriteLine($"problem: {p}");
            cli.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"snapshot {id}: {m.Entries.Count} entries, {m.FileCount} files, {Units.Megabytes(m.DataSize)} read: {(code == 0 ? "sound" : $"{problems.Count} problem(s); do not restore from it")}"));
            return code;
        }));
        return command;
    }
}
